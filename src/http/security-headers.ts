/**
 * Headers on every response. Pages may not be framed (`frame-ancestors 'none'`, and
 * `X-Frame-Options: DENY` for older browsers); scripts and styles run only with this response's
 * nonce (`ctx.state.cspNonce`, which page renderers put on their `<script>` and `<style>`),
 * never inline otherwise. oidc-provider adds the SHA-256 of its own inline scripts (form_post)
 * to `script-src` of the header set here. Nothing is loaded from other origins.
 */
import { randomFillSync } from 'node:crypto';
import type { Middleware } from 'koa';

const NONCE_BYTES = 16;
const NONCES_PER_FILL = 256;
const pool = Buffer.alloc(NONCE_BYTES * NONCES_PER_FILL);
let next = NONCES_PER_FILL;

/**
 * A fresh 128-bit nonce, base64. Drawn from one CSPRNG fill of 256 nonces at a time (as Node's
 * own randomUUID does): one `randomBytes(16)` per response cost about 17 µs of a connector
 * check's 340 µs (bench:consent profile), since every response carries the header. Each slice
 * of the pool is used once; the pool never leaves this module.
 */
export function cspNonce(): string {
  if (next === NONCES_PER_FILL) {
    randomFillSync(pool);
    next = 0;
  }
  const at = next++ * NONCE_BYTES;
  return pool.toString('base64', at, at + NONCE_BYTES);
}

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

/** The headers every response carries, with this response's nonce in its policy. */
export function securityHeaderEntries(nonce: string): readonly (readonly [string, string])[] {
  return [
    ['Content-Security-Policy', contentSecurityPolicy(nonce)],
    ['X-Frame-Options', 'DENY'],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
  ];
}

export function securityHeaders(): Middleware {
  return async function withSecurityHeaders(ctx, next) {
    const nonce = cspNonce();
    ctx.state.cspNonce = nonce;
    for (const [name, value] of securityHeaderEntries(nonce)) ctx.set(name, value);
    await next();
  };
}
