/**
 * `GET /api/v1/connectors/me`: the authenticated connector as the service sees it. A
 * connector's developer calls it to test a set-up end to end (token request, bearer header,
 * scopes, the member's status) before calling the member APIs; any connector scope will do.
 */
import Router from '@koa/router';
import { connectorOf, connectorSessionOf, type RequireConnector } from './connector-token.js';

export const CONNECTOR_ME_PATH = '/api/v1/connectors/me';

/** The answer of `GET /api/v1/connectors/me`. */
export interface ConnectorMeAnswer {
  readonly did: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly member: { readonly status: string; readonly roles: readonly string[]; readonly name: string };
  /** When the access token expires (ISO 8601). */
  readonly expiresAt: string;
}

/** The connector routes; `scopes` are the connector scopes, any one of which opens them. */
export function connectorRoutes(requireConnector: RequireConnector, scopes: readonly string[]): Router {
  const router = new Router();
  router.get(CONNECTOR_ME_PATH, requireConnector({ anyOf: scopes }), (ctx) => {
    const connector = connectorOf(ctx);
    const { member, expiresAt } = connectorSessionOf(ctx);
    ctx.body = {
      did: connector.did,
      clientId: connector.clientId,
      scopes: connector.scopes,
      member: { status: member.status, roles: member.roles, name: member.name },
      expiresAt: expiresAt.toISOString(),
    } satisfies ConnectorMeAnswer;
  });
  return router;
}
