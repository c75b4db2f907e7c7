/**
 * Cross-site request forgery defences for every form of the portal (OWASP CSRF Prevention
 * Cheat Sheet): a synchronizer token bound to the session, checked on every POST, and a check of
 * the request's provenance headers, both failing closed.
 *
 * - The token is HMAC-SHA256(K_csrf, session id): bound to the session (a new session after
 *   login gets a new token), never stored, compared in constant time.
 * - `Origin`, when sent, must be the service's own origin (PUBLIC_URL); `Sec-Fetch-Site`, when
 *   sent, must be `same-origin`. Browsers send at least one of them on every POST; a client that
 *   sends neither still needs the token.
 * - The session cookie is `SameSite=Lax` as well: a third layer, not the defence.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { PortalError } from './errors.js';
import type { PortalSession } from './sessions.js';

/** The form field that carries the token. */
export const CSRF_FIELD = 'csrf_token';

export function csrfToken(key: Buffer, session: PortalSession): string {
  return createHmac('sha256', key).update(`csrf\n${session.id}`, 'utf8').digest('base64url');
}

/** Refuses a request that its own headers say comes from another site (`cross_site_request`). */
export function checkProvenance(ctx: Context, publicOrigin: string): void {
  const site = ctx.get('sec-fetch-site');
  if (site !== '' && site !== 'same-origin') {
    throw new PortalError('cross_site_request', `a form posted from another site (Sec-Fetch-Site: ${site})`);
  }
  const origin = ctx.get('origin');
  if (origin !== '' && origin !== publicOrigin) {
    throw new PortalError('cross_site_request', 'a form posted from another origin');
  }
}

/** Refuses a POST without this session's token (`csrf_token_missing`, `csrf_token_invalid`). */
export function checkToken(ctx: Context, key: Buffer, session: PortalSession): void {
  const body = ctx.state.body as Record<string, unknown> | undefined;
  const presented = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
  if (typeof presented !== 'string' || presented.length === 0) {
    throw new PortalError(
      'csrf_token_missing',
      'the form carries no CSRF token: reload the page and try again',
    );
  }
  const expected = Buffer.from(csrfToken(key, session), 'utf8');
  const actual = Buffer.from(presented, 'utf8');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new PortalError(
      'csrf_token_invalid',
      'the form’s CSRF token is not this session’s: reload the page and try again',
    );
  }
}
