/**
 * Headers on every response. Pages may not be framed (`frame-ancestors 'none'`, and
 * `X-Frame-Options: DENY` for older browsers); scripts and styles run only with this response's
 * nonce (`ctx.state.cspNonce`, which page renderers put on their `<script>` and `<style>`),
 * never inline otherwise. oidc-provider adds the SHA-256 of its own inline scripts (form_post)
 * to `script-src` of the header set here. Nothing is loaded from other origins.
 */
import { randomBytes } from 'node:crypto';
import type { Middleware } from 'koa';

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(): Middleware {
  return async function withSecurityHeaders(ctx, next) {
    const nonce = randomBytes(16).toString('base64');
    ctx.state.cspNonce = nonce;
    ctx.set('Content-Security-Policy', contentSecurityPolicy(nonce));
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    await next();
  };
}
