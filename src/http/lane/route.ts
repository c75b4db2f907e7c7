/**
 * A connector lane route: a hot machine-to-machine endpoint (credential verification, the
 * consent check, the agreement check) written once, and served two ways with the same answers:
 * by the connector lane (lane.ts) for `POST` to its exact path, and by koa for every other form
 * of the request (`mountLaneRoute`: trailing slash, other letter case, a query string).
 */
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AuthenticatedConnector, RequireConnector, ScopeRequirement } from '../connector-token.js';

/** What a lane route's answer sees of its request. */
export interface LaneRequest {
  /** The parsed body (JSON or form), as koa's body reader leaves it in `ctx.state.body`. */
  readonly body: unknown;
  /** A request header ('' when absent), as koa's `ctx.get`. */
  header(name: string): string;
  /** The authenticated connector, on a route that has a `scope`. */
  readonly connector: AuthenticatedConnector | undefined;
}

export interface LaneRoute {
  /** The exact path below the base path, e.g. `/api/v1/consents/check`; always `POST`. */
  readonly path: string;
  /** The connector scope the route needs (a bearer token, src/http/connector-token.ts); none: public. */
  readonly scope?: ScopeRequirement;
  /**
   * The JSON answer (200). A refusal throws a ProblemError. Every answer from here on, refusals
   * included, carries `Cache-Control: no-store`.
   */
  answer(request: LaneRequest): Promise<object>;
}

/** The connector of a route that has a `scope`; throws on a route that has none. */
export function laneConnector(request: LaneRequest): AuthenticatedConnector {
  if (!request.connector) throw new Error('this lane route has no scope: no connector was authenticated');
  return request.connector;
}

/** Registers the route on a koa router, behind the connector middleware when it has a scope. */
export function mountLaneRoute(router: Router, route: LaneRoute, requireConnector?: RequireConnector): void {
  const answer: Middleware = async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const body = await route.answer({
      body: ctx.state.body as unknown,
      header: (name) => ctx.get(name),
      connector: ctx.state.connector as AuthenticatedConnector | undefined,
    });
    ctx.body = body;
  };
  if (route.scope === undefined) {
    router.post(route.path, answer);
    return;
  }
  if (!requireConnector) throw new TypeError(`${route.path} needs a scope: mount it with requireConnector`);
  router.post(route.path, requireConnector(route.scope), answer);
}
