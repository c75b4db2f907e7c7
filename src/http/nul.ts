/**
 * U+0000 (NUL) is refused in request input, once, at the edge: PostgreSQL cannot hold it in
 * text (SQLSTATE 22021), so a NUL that reached a statement would fail it, and a batched read
 * (src/db/batched-read.ts) with every other caller of its turn. No identifier, name or value
 * this service stores has any use for it. Code: `invalid_request` (400).
 *
 * - A URL whose path or query holds `%00` (any case): `refuseNulInUrl`, a koa middleware that
 *   runs before any route or mount. A raw NUL byte never gets that far: node's HTTP parser
 *   refuses it in the request line.
 * - A JSON or form body whose decoded value holds U+0000 in a key or a string, at any depth:
 *   `refuseNulInBody`, called by the one body parser (src/http/body.ts) for koa and the
 *   connector lane. The parsed value is only walked when the text could have produced a NUL (a
 *   `\u0000` escape in JSON, `%00` or a raw NUL in a form), so ordinary bodies cost two
 *   `indexOf`s.
 */
import type { Middleware } from 'koa';
import { BadRequestError, OAuthError } from './errors.js';

const DETAIL = 'NUL characters (U+0000) are not accepted';

/** The refusal of a NUL character in the URL or the body of a request. */
export class NulCharacterError extends BadRequestError {
  constructor(where: 'URL' | 'body') {
    super('invalid_request', `${DETAIL} in the request ${where}.`);
  }
}

/** The same refusal for protocol endpoints (the OpenID Connect provider): RFC 6749 §5.2. */
class NulCharacterOAuthError extends OAuthError {
  constructor() {
    super(400, 'invalid_request', `${DETAIL} in the request URL`);
  }
}

/** True when `value` holds U+0000 in a string or an object key, at any depth (no recursion). */
export function holdsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return true;
    } else if (Array.isArray(item)) {
      for (const inner of item) stack.push(inner);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, inner] of Object.entries(item)) {
        if (key.includes('\u0000')) return true;
        stack.push(inner);
      }
    }
  }
  return false;
}

/**
 * Throws NulCharacterError when the parsed body holds U+0000. `raw` is the body's text: JSON
 * writes U+0000 only as the escape `\u0000` (JSON.parse refuses a raw control character in a
 * string, and the escape's letter is always a lowercase `u`); a form as `%00`, or as the raw
 * character. Without any of them the value cannot hold a NUL and is not walked.
 */
export function refuseNulInBody(raw: string, parsed: unknown, kind: 'json' | 'form'): void {
  const suspect = raw.includes('\u0000') || (kind === 'json' ? raw.includes('\\u0000') : raw.includes('%00'));
  if (suspect && holdsNul(parsed)) throw new NulCharacterError('body');
}

/**
 * Refuses a request whose path or query holds `%00` (hexadecimal digits have no case to
 * differ in). Runs inside the error mapper, before the routes and the mounts; under an
 * `oauthPrefixes` prefix the refusal has the OAuth shape.
 */
export function refuseNulInUrl(oauthPrefixes: readonly string[] = []): Middleware {
  return async function nulInUrl(ctx, next) {
    if (ctx.url.includes('%00')) {
      const oauth = oauthPrefixes.some((prefix) => ctx.path === prefix || ctx.path.startsWith(`${prefix}/`));
      throw oauth ? new NulCharacterOAuthError() : new NulCharacterError('URL');
    }
    await next();
  };
}
