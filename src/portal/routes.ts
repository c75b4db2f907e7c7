/**
 * The portal's routes (docs/portal.md). Every path is below `/portal`, where the session cookie
 * is scoped; `/consents`, the address printed in receipts and notices, redirects there.
 *
 * - `GET  /portal/consents`: the dashboard (or the way to log in);
 * - `GET  /portal/consents/export`: every record of the citizen (JSON, ISO/IEC TS 27560);
 * - `GET  /portal/consents/:id`, `.../receipt`, `.../withdraw`; `POST .../withdraw`;
 * - `GET|POST /portal/account/erase`;
 * - `GET  /portal/login[?as=board]`, `GET /portal/callback`, `POST /portal/logout`, `GET /portal/logged-out`.
 * - `GET  /portal`: 303 to the home page (`/portal/`, with the other public pages in public/routes.ts).
 *
 * The portal holds no rule: what a citizen may see or do is the consent register's to decide
 * (its refusals are rendered with their codes). What is the portal's: the session, CSRF and
 * provenance checks, the login as a relying party, the pages.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Citizen, ConsentRegister } from '../consent/index.js';
import { ProblemError } from '../http/errors.js';
import { localise } from '../rulebook/index.js';
import { checkProvenance, checkToken, csrfToken } from './csrf.js';
import { PortalError } from './errors.js';
import { html, portalFrame, setSessionCookie, stateOf } from './frame.js';
import { erasedPage, erasePage, loggedOutPage, loginPage } from './pages/account.js';
import { consentListPage, consentPage, withdrawPage } from './pages/consents.js';
import type { TermLabels } from './pages/format.js';
import type { RelyingParty } from './relying-party.js';
import { safeReturn } from './return-path.js';
import type { PortalSession, SessionStore } from './sessions.js';

export const PORTAL_PATH = '/portal';
/** The login scopes of a board member (the workspace). */
export const BOARD_LOGIN_SCOPE = 'openid board';
export { SESSION_COOKIE } from './frame.js';

export interface PortalRouteDeps {
  readonly publicUrl: string;
  /** `Secure` cookies, unless PUBLIC_URL is a loopback development URL. */
  readonly developmentMode: boolean;
  readonly sessions: SessionStore;
  readonly consent: ConsentRegister;
  /** The portal as a relying party of the service's provider. */
  readonly login: RelyingParty;
  /** The DID of a board login's account, or `not_on_board` (board/workspace-routes.ts). */
  readonly boardMemberOf?: (accountId: string) => Promise<string>;
}

/** A path of the portal to return to after login: only our own paths, never another origin. */

function fileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function portalRoutes(deps: PortalRouteDeps): Router {
  const router = new Router();
  const origin = new URL(deps.publicUrl).origin;
  const publicPath = new URL(deps.publicUrl).pathname.replace(/\/$/, '');
  const base = `${publicPath}${PORTAL_PATH}`;
  const cookiePath = base;

  const setCookie = (ctx: Context, session: PortalSession | undefined) =>
    setSessionCookie(ctx, session, { developmentMode: deps.developmentMode, path: cookiePath });

  const frame = portalFrame({ sessions: deps.sessions, base });

  /** The citizen of this session, or `login_required`. */
  const citizenOf = (ctx: Context): { session: PortalSession; citizen: Citizen; csrf: string } => {
    const { session } = stateOf(ctx);
    const citizen = session?.data.citizen;
    if (!session || !citizen) throw new PortalError('login_required', 'log in with your wallet first');
    return { session, citizen, csrf: csrfToken(deps.sessions.csrfKey, session) };
  };

  /** Every POST: provenance first (it needs no database), then the session, then its token. */
  const checkForm = (ctx: Context) => {
    checkProvenance(ctx, origin);
    const owner = citizenOf(ctx);
    checkToken(ctx, deps.sessions.csrfKey, owner.session);
    return owner;
  };

  const labels = async (): Promise<TermLabels> => {
    const vocabulary = await deps.consent.vocabulary().catch(() => undefined);
    return {
      purpose: (id) => {
        const term = vocabulary?.purpose(id);
        return term ? localise(term.label) : id;
      },
      dataCategory: (id) => {
        const term = vocabulary?.dataCategory(id);
        return term ? localise(term.label) : id;
      },
      legalBasis: (id) => {
        const term = vocabulary?.legalBasis(id);
        return term ? localise(term.label) : id;
      },
    };
  };

  router.get('/consents', (ctx) => {
    ctx.status = 303;
    ctx.redirect(`${base}/consents`);
  });
  // `/portal` only (the router also matches `/portal/`, the home page's own address).
  router.get(PORTAL_PATH, async (ctx, next) => {
    if (ctx.path !== PORTAL_PATH) return next();
    ctx.status = 303;
    ctx.redirect(`${base}/`);
    return undefined;
  });

  router.get(`${PORTAL_PATH}/consents`, frame, async (ctx) => {
    const { page, session } = stateOf(ctx);
    if (!session?.data.citizen) return html(ctx, loginPage(page, `${base}/consents`));
    const { citizen, csrf } = citizenOf(ctx);
    const consents = await deps.consent.list(citizen);
    html(ctx, consentListPage({ ...page, csrf }, consents, await labels()));
  });

  router.get(`${PORTAL_PATH}/consents/export`, frame, async (ctx) => {
    const { citizen } = citizenOf(ctx);
    const exported = await deps.consent.export(citizen);
    ctx.type = 'application/json';
    ctx.set('Content-Disposition', 'attachment; filename="consent-records.json"');
    ctx.body = JSON.stringify(exported, null, 2);
  });

  router.get(`${PORTAL_PATH}/consents/:id`, frame, async (ctx) => {
    const { citizen, csrf } = citizenOf(ctx);
    const id = ctx.params.id as string;
    const consent = await detailed(deps.consent, id, citizen);
    const message = ctx.query.done === 'withdrawn' ? stateOf(ctx).page.msg.t('consent.withdrawn') : undefined;
    html(ctx, consentPage({ ...stateOf(ctx).page, csrf }, consent, await labels(), message));
  });

  router.get(`${PORTAL_PATH}/consents/:id/receipt`, frame, async (ctx) => {
    const { citizen } = citizenOf(ctx);
    const id = ctx.params.id as string;
    const receipt = await deps.consent.receipt(id, citizen);
    ctx.type = 'application/jwt';
    ctx.set('Content-Disposition', `attachment; filename="${fileName(id)}.jwt"`);
    ctx.body = receipt;
  });

  router.get(`${PORTAL_PATH}/consents/:id/withdraw`, frame, async (ctx) => {
    const { citizen, csrf } = citizenOf(ctx);
    const consent = await detailed(deps.consent, ctx.params.id as string, citizen);
    if (consent.status !== 'given') {
      // Nothing to confirm: the consent's page says why.
      ctx.status = 303;
      ctx.redirect(`${base}/consents/${encodeURIComponent(consent.id)}`);
      return;
    }
    html(ctx, withdrawPage({ ...stateOf(ctx).page, csrf }, consent, await labels()));
  });

  router.post(`${PORTAL_PATH}/consents/:id/withdraw`, frame, async (ctx) => {
    const { citizen } = checkForm(ctx);
    const id = ctx.params.id as string;
    await deps.consent.withdraw({ consentId: id, citizen });
    ctx.status = 303;
    ctx.redirect(`${base}/consents/${encodeURIComponent(id)}?done=withdrawn`);
  });

  router.get(`${PORTAL_PATH}/account/erase`, frame, async (ctx) => {
    const { csrf } = citizenOf(ctx);
    html(ctx, erasePage({ ...stateOf(ctx).page, csrf }));
  });

  router.post(`${PORTAL_PATH}/account/erase`, frame, async (ctx) => {
    const { citizen } = checkForm(ctx);
    const result = await deps.consent.erase(citizen);
    // Every session of this citizen ends (this browser's and any other).
    await deps.sessions.endCitizen(citizen);
    setCookie(ctx, undefined);
    const { csrf: _csrf, ...page } = stateOf(ctx).page;
    html(ctx, erasedPage(page, result));
  });

  router.get(`${PORTAL_PATH}/login`, frame, async (ctx) => {
    const returnTo = safeReturn(ctx.query.return, base);
    // `?as=board`: a board member's login to the workspace, with its BoardMemberCredential.
    const { url, pending } =
      ctx.query.as === 'board' && deps.boardMemberOf
        ? await deps.login.start(returnTo, { scope: BOARD_LOGIN_SCOPE, purpose: 'board' })
        : await deps.login.start(returnTo);
    const { session } = stateOf(ctx);
    // The pending login goes in a session of its own: a new id, whatever the browser held.
    const started = session
      ? await deps.sessions.rotate(session.id, { ...session.data, login: pending })
      : await deps.sessions.create({ login: pending });
    setCookie(ctx, started);
    ctx.status = 303;
    ctx.redirect(url);
  });

  router.get(`${PORTAL_PATH}/callback`, frame, async (ctx) => {
    const { session } = stateOf(ctx);
    const pending = session?.data.login;
    if (!session || !pending) {
      throw new PortalError('login_failed', 'no login is in progress in this browser: start again');
    }
    const callbackUrl = new URL(`${deps.publicUrl}${PORTAL_PATH}/callback`);
    callbackUrl.search = ctx.querystring;
    const login = await deps.login.finish(callbackUrl, pending);
    if (pending.purpose === 'board') {
      if (!deps.boardMemberOf) throw new PortalError('not_on_board', 'the board workspace is not enabled');
      const boardMember = await deps.boardMemberOf(login.accountId);
      const loggedIn = await deps.sessions.rotate(session.id, {
        boardMember,
        idToken: login.idToken,
        accountId: login.accountId,
      });
      setCookie(ctx, loggedIn);
      ctx.status = 303;
      ctx.redirect(pending.returnTo);
      return;
    }
    let citizen: Citizen;
    try {
      citizen = await login.citizen();
    } catch (error) {
      if (error instanceof PortalError) throw error;
      if (error instanceof ProblemError && error.status < 500)
        throw new PortalError('not_a_citizen', error.detail ?? error.message);
      throw error;
    }
    // A new session id at login: an id planted before it is worth nothing after it.
    const loggedIn = await deps.sessions.rotate(session.id, {
      citizen,
      idToken: login.idToken,
      accountId: login.accountId,
    });
    setCookie(ctx, loggedIn);
    ctx.status = 303;
    ctx.redirect(pending.returnTo);
  });

  router.post(`${PORTAL_PATH}/logout`, frame, async (ctx) => {
    checkProvenance(ctx, origin);
    const { session } = stateOf(ctx);
    if (session) {
      checkToken(ctx, deps.sessions.csrfKey, session);
      await deps.sessions.end(session.id);
    }
    setCookie(ctx, undefined);
    ctx.status = 303;
    // RP-initiated logout: the provider ends its own session too, then sends the browser back.
    ctx.redirect(
      await deps.login.logoutUrl(session?.data.idToken, `${deps.publicUrl}${PORTAL_PATH}/logged-out`),
    );
  });

  router.get(`${PORTAL_PATH}/logged-out`, frame, async (ctx) => {
    const { csrf: _csrf, ...page } = stateOf(ctx).page;
    html(ctx, loggedOutPage(page));
  });

  return router;
}

/** The consent with the names the list shows (controller, notice title). */
async function detailed(register: ConsentRegister, id: string, citizen: Citizen) {
  const consent = await register.get(id, citizen);
  const listed = (await register.list(citizen)).find((entry) => entry.id === id);
  return {
    ...consent,
    ...(listed?.controllerName ? { controllerName: listed.controllerName } : {}),
    ...(listed?.noticeTitle ? { noticeTitle: listed.noticeTitle } : {}),
  };
}
