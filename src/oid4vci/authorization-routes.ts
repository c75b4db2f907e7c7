/**
 * The authorization endpoint of the issuer (OpenID4VCI 1.0 §5) and its continuation:
 *
 * - `POST /oid4vci/par`: a pushed authorization request (RFC 9126, pushed-requests.ts), checked
 *   as the authorization endpoint checks it → 201 `{ request_uri, expires_in }`;
 * - `GET /oid4vci/authorize?…`: the checked request (authorization-request.ts), or the pushed
 *   one of `client_id` + `request_uri` → the page where the holder proves membership with the
 *   wallet login, and a cookie that binds the request to this browser;
 * - `GET /oid4vci/authorize/:id/status`: the page's poll (`pending` | `presented`);
 * - `GET /oid4vci/authorize/:id/continue`: ends the request; 303 to the wallet's redirect URI
 *   with `code` (or `error`), `state` and `iss`.
 *
 * Errors answer `{ error, error_description }`.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { renderAuthorizationPage } from './authorization-page.js';
import { type AuthorizationRequest, readAuthorizationRequest } from './authorization-request.js';
import type { Authorizations } from './authorizations.js';
import type { CredentialConfiguration } from './configurations.js';
import { dpopError } from './dpop.js';
import { Oid4vciError } from './errors.js';
import { OID4VCI_PATH } from './metadata.js';
import { formParameters, type PushedRequests } from './pushed-requests.js';
import { challenged } from './routes.js';

export const AUTHORIZE_PATH = `${OID4VCI_PATH}/authorize`;
export const PAR_PATH = `${OID4VCI_PATH}/par`;
const COOKIE = 'oid4vci_authorization';

export interface AuthorizationRoutesDeps {
  readonly authorizations: Authorizations;
  readonly configurations: readonly CredentialConfiguration[];
  readonly credentialIssuer: string;
  readonly secureCookies: boolean;
  readonly pushedRequests: PushedRequests;
  /**
   * The thumbprint of a verified DPoP proof sent with a pushed request (RFC 9449 §10.1),
   * undefined without one; throws `invalid_dpop_proof`.
   */
  readonly parDpop: (proof: string | undefined) => Promise<string | undefined>;
  /** Refuse authorization requests that were not pushed (OID4VCI_REQUIRE_PAR). */
  readonly requirePushedRequests: boolean;
}

/** The request of `GET /oid4vci/authorize`: pushed (`request_uri`) or in the query. */
async function authorizationRequestOf(
  deps: AuthorizationRoutesDeps,
  query: Record<string, unknown>,
): Promise<AuthorizationRequest> {
  if (query.request_uri !== undefined) return deps.pushedRequests.take(query);
  if (deps.requirePushedRequests)
    throw new Oid4vciError(
      'invalid_request',
      `this issuer requires pushed authorization requests (${PAR_PATH}, RFC 9126)`,
    );
  return readAuthorizationRequest(query, deps.configurations, deps.credentialIssuer);
}

function continuation(deps: AuthorizationRoutesDeps, ctx: Context) {
  return deps.authorizations.ofBrowser(ctx.params.id ?? '', ctx.cookies.get(COOKIE) ?? undefined);
}

export function authorizationRoutes(deps: AuthorizationRoutesDeps): Router {
  const router = new Router();
  router.post(PAR_PATH, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (!ctx.is('application/x-www-form-urlencoded') || typeof ctx.state.rawBody !== 'string')
      throw new Oid4vciError(
        'invalid_request',
        'a pushed authorization request is application/x-www-form-urlencoded',
      );
    const parameters = formParameters(ctx.state.rawBody);
    if (parameters.request_uri !== undefined)
      throw new Oid4vciError(
        'invalid_request',
        'a pushed authorization request carries no request_uri (RFC 9126 §2.1)',
      );
    // Request objects (RFC 9101) are not supported: refused, not ignored, so that a wallet that
    // relies on its signed object learns that it was not read.
    if (parameters.request !== undefined)
      throw new Oid4vciError(
        'request_not_supported',
        'request objects (the request parameter, RFC 9101) are not supported: push the parameters themselves',
      );
    const checked = readAuthorizationRequest(parameters, deps.configurations, deps.credentialIssuer);
    await deps.authorizations.offerOf(checked);
    let request = checked;
    try {
      // RFC 9449 §10.1: a proof at PAR binds the code to its key, as dpop_jkt does; both must agree.
      const proven = await deps.parDpop(ctx.get('dpop') || undefined);
      if (proven !== undefined && checked.dpopJkt !== undefined && proven !== checked.dpopJkt)
        throw dpopError('dpop_jkt is not the thumbprint of the DPoP proof key', 400);
      if (proven !== undefined) request = { ...checked, dpopJkt: proven };
    } catch (error) {
      challenged(ctx, error);
    }
    ctx.status = 201;
    ctx.body = await deps.pushedRequests.push(request);
  });
  router.get(AUTHORIZE_PATH, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const request = await authorizationRequestOf(deps, ctx.query as Record<string, unknown>);
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
