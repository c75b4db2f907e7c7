/**
 * The authorization endpoint of the issuer (OpenID4VCI 1.0 §5) and its continuation:
 *
 * - `GET /oid4vci/authorize?…`: the checked request (authorization-request.ts) → the page where
 *   the holder proves membership with the wallet login, and a cookie that binds the request
 *   to this browser;
 * - `GET /oid4vci/authorize/:id/status`: the page's poll (`pending` | `presented`);
 * - `GET /oid4vci/authorize/:id/continue`: ends the request; 303 to the wallet's redirect URI
 *   with `code` (or `error`), `state` and `iss`.
 *
 * Errors answer `{ error, error_description }`.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { renderAuthorizationPage } from './authorization-page.js';
import { readAuthorizationRequest } from './authorization-request.js';
import type { Authorizations } from './authorizations.js';
import type { CredentialConfiguration } from './configurations.js';
import { OID4VCI_PATH } from './metadata.js';

export const AUTHORIZE_PATH = `${OID4VCI_PATH}/authorize`;
const COOKIE = 'oid4vci_authorization';

export interface AuthorizationRoutesDeps {
  readonly authorizations: Authorizations;
  readonly configurations: readonly CredentialConfiguration[];
  readonly credentialIssuer: string;
  readonly secureCookies: boolean;
}

function continuation(deps: AuthorizationRoutesDeps, ctx: Context) {
  return deps.authorizations.ofBrowser(ctx.params.id ?? '', ctx.cookies.get(COOKIE) ?? undefined);
}

export function authorizationRoutes(deps: AuthorizationRoutesDeps): Router {
  const router = new Router();
  router.get(AUTHORIZE_PATH, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const request = readAuthorizationRequest(
      ctx.query as Record<string, unknown>,
      deps.configurations,
      deps.credentialIssuer,
    );
    const started = await deps.authorizations.start(request);
    if (deps.secureCookies) ctx.cookies.secure = true;
    ctx.cookies.set(COOKIE, started.browserSecret, {
      httpOnly: true,
      sameSite: 'lax',
      path: AUTHORIZE_PATH,
      signed: false,
      overwrite: true,
      maxAge: 600_000,
    });
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = await renderAuthorizationPage({
      clientId: request.clientId,
      credentials: request.configurationIds,
      sameDeviceUrl: started.sameDeviceUrl,
      crossDeviceUrl: started.crossDeviceUrl,
      statusUrl: `${AUTHORIZE_PATH}/${started.id}/status`,
      continueUrl: `${AUTHORIZE_PATH}/${started.id}/continue`,
      nonce: String(ctx.state.cspNonce ?? ''),
    });
  });
  router.get(`${AUTHORIZE_PATH}/:id/status`, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const row = await continuation(deps, ctx);
    ctx.body = { status: await deps.authorizations.loginStatus(row) };
  });
  router.get(`${AUTHORIZE_PATH}/:id/continue`, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const row = await continuation(deps, ctx);
    const to = await deps.authorizations.complete(row);
    ctx.cookies.set(COOKIE, null, { path: AUTHORIZE_PATH });
    ctx.status = 303;
    ctx.redirect(to);
  });
  return router;
}
