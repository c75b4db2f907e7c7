/**
 * `GET` and `PUT /api/v1/connectors/me/redirect-uris` (scope `notices`): the redirect URIs of the
 * member's app, to which the service sends citizens back after they gave consent
 * (docs/connectors.md). `PUT { redirectUris: [...] }` replaces the whole list (an empty list
 * ends the member's authorization code flow); the change is audited.
 */
import Router from '@koa/router';
import { connectorOf, type RequireConnector } from '../http/connector-token.js';
import { requestBody } from '../http/index.js';
import { checkRedirectUris, type MemberRedirectUris, type RedirectUriAudit } from './redirect-uris.js';

export const REDIRECT_URIS_PATH = '/api/v1/connectors/me/redirect-uris';
/** The connector scope that manages the member's app (as it manages its notices). */
export const REDIRECT_URIS_SCOPE = 'notices';

export interface RedirectUriRouteOptions {
  readonly store: MemberRedirectUris;
  readonly requireConnector: RequireConnector;
  readonly audit: RedirectUriAudit;
  /** Plain http redirect URIs are accepted in development mode only. */
  readonly developmentMode: boolean;
}

export function redirectUriRoutes(options: RedirectUriRouteOptions): Router {
  const router = new Router();
  const authorised = options.requireConnector(REDIRECT_URIS_SCOPE);
  router.get(REDIRECT_URIS_PATH, authorised, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { redirectUris: await options.store.of(connectorOf(ctx).did) };
  });
  router.put(REDIRECT_URIS_PATH, authorised, async (ctx) => {
    const uris = checkRedirectUris(requestBody(ctx), options.developmentMode);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { redirectUris: await options.store.replace(connectorOf(ctx).did, uris, options.audit) };
  });
  return router;
}
