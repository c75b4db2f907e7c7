/**
 * Every URL the service publishes comes from PUBLIC_URL, never from the request (issue 8). koa
 * derives `ctx.protocol`, `ctx.host`, `ctx.origin`, `ctx.href` and `ctx.secure` from the `Host`
 * header and, with `proxy` on, from `X-Forwarded-Proto`/`X-Forwarded-Host`; oidc-provider builds
 * its discovery endpoints from `ctx.href` and decides the cookies' `Secure` flag from
 * `ctx.secure`. These are pinned once, on the app's request prototype, to PUBLIC_URL's scheme and host, so
 * `Host: evil.example` changes nothing that is published, and an https PUBLIC_URL behind a
 * TLS-terminating proxy gives https endpoints and `Secure` cookies whatever the proxy sends.
 * (TRUST_PROXY keeps one effect: the client address, `ctx.ip`, from `X-Forwarded-For`.)
 */
import type Koa from 'koa';

/**
 * Pins `protocol`, `host` and `hostname` of every request of `app` to `publicUrl`. Own data
 * properties on `app.request`, which every `ctx.request` inherits from, shadow koa's getters
 * once for the app's life: a per-request `Object.defineProperties` would cost a hidden-class
 * change on each request object (measurable on the connector checks' hot path).
 */
export function pinPublicOrigin(app: Koa, publicUrl: string): void {
  const url = new URL(publicUrl);
  Object.defineProperties(app.request, {
    protocol: { value: url.protocol.slice(0, -1), configurable: true },
    host: { value: url.host, configurable: true },
    hostname: { value: url.hostname, configurable: true },
  } satisfies PropertyDescriptorMap);
}
