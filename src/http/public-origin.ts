/**
 * Every URL the service publishes comes from PUBLIC_URL, never from the request (issue 8). koa
 * derives `ctx.protocol`, `ctx.host`, `ctx.origin`, `ctx.href` and `ctx.secure` from the `Host`
 * header and, with `proxy` on, from `X-Forwarded-Proto`/`X-Forwarded-Host`; oidc-provider builds
 * its discovery endpoints from `ctx.href` and decides the cookies' `Secure` flag from
 * `ctx.secure`. This middleware pins those on each request to PUBLIC_URL's scheme and host, so
 * `Host: evil.example` changes nothing that is published, and an https PUBLIC_URL behind a
 * TLS-terminating proxy gives https endpoints and `Secure` cookies whatever the proxy sends.
 * (TRUST_PROXY keeps one effect: the client address, `ctx.ip`, from `X-Forwarded-For`.)
 */
import type { Middleware } from 'koa';

export function pinPublicOrigin(publicUrl: string): Middleware {
  const url = new URL(publicUrl);
  const pinned = {
    protocol: { value: url.protocol.slice(0, -1), configurable: true },
    host: { value: url.host, configurable: true },
    hostname: { value: url.hostname, configurable: true },
  } satisfies PropertyDescriptorMap;
  return async function publicOrigin(ctx, next) {
    // Own properties shadow koa's request getters; `origin`, `href`, `URL` and `secure` derive from them.
    Object.defineProperties(ctx.request, pinned);
    await next();
  };
}
