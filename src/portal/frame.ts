/**
 * What every portal page runs in: the browser's session (if any), the language, the CSP nonce,
 * no caching, and refusals rendered as pages that name their code.
 */
import type { Context, Middleware } from 'koa';
import { ProblemError } from '../http/errors.js';
import { csrfToken } from './csrf.js';
import { PortalError } from './errors.js';
import { LANGUAGE_COOKIE, messages, negotiateLocale } from './i18n/index.js';
import type { PageContext } from './layout.js';
import { errorPage } from './pages/account.js';
import type { PortalSession, SessionStore } from './sessions.js';

export const SESSION_COOKIE = 'portal_session';

export interface PortalState {
  session?: PortalSession;
  page: PageContext;
}

export const stateOf = (ctx: Context): PortalState => ctx.state.portal as PortalState;

/**
 * Sets (or, without a session, clears) the session cookie: `HttpOnly`, `SameSite=Lax`, scoped to
 * the portal's path, `Secure` outside development. Outside development PUBLIC_URL is https: the
 * browser reaches us over TLS even when a proxy in front speaks plain HTTP to us, so the cookie is
 * Secure regardless of this hop.
 */
export function setSessionCookie(
  ctx: Context,
  session: PortalSession | undefined,
  options: { readonly developmentMode: boolean; readonly path: string },
): void {
  if (!options.developmentMode) ctx.cookies.secure = true;
  ctx.cookies.set(SESSION_COOKIE, session?.id ?? '', {
    httpOnly: true,
    secure: !options.developmentMode,
    sameSite: 'lax',
    path: options.path,
    signed: false,
    overwrite: true,
    ...(session ? { expires: session.absoluteExpiresAt } : { expires: new Date(0) }),
  });
}

/** Answers an HTML page. */
export function html(ctx: Context, body: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = body;
}

/** Loads the session and the language, renders refusals as pages, forbids caching. */
export function portalFrame(deps: { readonly sessions: SessionStore; readonly base: string }): Middleware {
  return async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    // `no-referrer` (the service's default) makes browsers send `Origin: null` with a form's POST,
    // which the provenance check must refuse; `same-origin` still sends nothing to other sites.
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('Vary', 'Accept-Language, Cookie');
    const session = await deps.sessions.find(ctx.cookies.get(SESSION_COOKIE) ?? undefined);
    const locale = negotiateLocale(ctx.cookies.get(LANGUAGE_COOKIE) ?? undefined, ctx.get('accept-language'));
    const page: PageContext = {
      nonce: String(ctx.state.cspNonce ?? ''),
      base: deps.base,
      msg: messages(locale),
      here: ctx.originalUrl.length <= 500 ? ctx.originalUrl : ctx.path,
      ...(session?.data.citizen || session?.data.boardMember
        ? { csrf: csrfToken(deps.sessions.csrfKey, session) }
        : {}),
    };
    ctx.state.portal = { page, ...(session ? { session } : {}) } satisfies PortalState;
    try {
      await next();
    } catch (error) {
      // A 5xx is the service's own trouble (its generic answer), except the portal's own
      // deployment refusal (`provider_unreachable`), which a person should read as a page.
      const portalRefusal = error instanceof PortalError;
      if (!(error instanceof ProblemError) || (error.status >= 500 && !portalRefusal)) throw error;
      html(ctx, errorPage(page, error), error.status);
    }
  };
}
