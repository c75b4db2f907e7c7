import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../log/logger.js';
import { bodyReader } from './body.js';
import type { ConnectorGate, ScopeRequirement } from './connector-token.js';
import { databaseDeadline } from './database-deadline.js';
import { failFastWhileDatabaseDown } from './database-down.js';
import { errorMapper } from './error-mapper.js';
import { NotFoundError } from './errors.js';
import { healthRoutes, type ReadinessProbe } from './health.js';
import { connectorLane, type LaneRoute, type RequestHandler } from './lane/index.js';
import { type HttpInstruments, httpMetrics } from './metrics.js';
import { refuseNulInUrl } from './nul.js';
import { pinPublicOrigin } from './public-origin.js';
import { requestContext } from './request-id.js';
import { securityHeaders } from './security-headers.js';

export interface AppOptions {
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  /**
   * PUBLIC_URL: the scheme and host of every URL the service builds or publishes (the service
   * always sets it; only tests of bare routers leave it out).
   */
  readonly publicUrl?: string;
  /** Only the client address (`ctx.ip`) is read from `X-Forwarded-For`; URLs come from `publicUrl`. */
  readonly trustProxy: boolean;
  readonly readiness: ReadinessProbe;
  /** Capability routers, mounted in order. */
  readonly routers: readonly Router[];
  /** Keys that sign koa cookies (the OpenID Connect provider's cookie keys). */
  readonly cookieKeys?: readonly string[];
  /**
   * Apps mounted under a path prefix, after the routers (the OpenID Connect provider at
   * `/oidc`). They read their own request bodies: the body reader skips their prefix.
   */
  readonly mounts?: readonly { readonly prefix: string; readonly middleware: Koa.Middleware }[];
  /**
   * The path of PUBLIC_URL ('' when none). Requests arrive under it (a reverse proxy keeps the
   * prefix) and are routed without it; only the health probes also answer outside it.
   */
  readonly basePath?: string;
  /**
   * Run before the body is read and before any route or mount: the rate limits on
   * unauthenticated writes, so that a refused request costs no parsing.
   */
  readonly guards?: readonly Koa.Middleware[];
  /**
   * The connector lane (src/http/lane): `POST` to these routes' exact paths is answered without
   * koa. The routers must hold the same routes (`mountLaneRoute`) for every other form. The
   * lane runs what this app runs for them except the `guards` (no rate limit applies to them),
   * and none of them may be served without the database (`database.servedWithout`).
   */
  readonly lane?: {
    readonly routes: readonly LaneRoute[];
    readonly gate: (scope: ScopeRequirement) => ConnectorGate;
  };
  /** Request counts, latencies and errors per route template; none recorded when absent. */
  readonly metrics?: HttpInstruments;
  /**
   * What the process knows about its database (src/db/health.ts): while it is down, requests
   * that need it answer 503 at once; a request that met an outage reports it.
   */
  readonly database?: {
    readonly isDown: () => boolean;
    readonly reportUnavailable: () => void;
    /** Paths (below the base path) served without the database. Health probes always are. */
    readonly servedWithout?: (path: string) => boolean;
    /**
     * REQUEST_DATABASE_DEADLINE_MS: all the database work of one request ends this long after
     * it arrived (src/http/database-deadline.ts); none when absent.
     */
    readonly deadlineMs?: number;
  };
}

function stripBasePath(basePath: string): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path === basePath || ctx.path.startsWith(`${basePath}/`)) {
      ctx.path = ctx.path.slice(basePath.length) || '/';
    } else if (!ctx.path.startsWith('/health/')) {
      throw new NotFoundError();
    }
    await next();
  };
}

/** koa, whose request handler (`callback()`) has the connector lane in front of it. */
class LanedKoa extends Koa {
  constructor(
    options: { readonly proxy: boolean; readonly maxIpsCount: number },
    private readonly front: (fallback: RequestHandler) => RequestHandler,
  ) {
    super({ proxy: options.proxy, maxIpsCount: options.maxIpsCount });
  }

  override callback(): ReturnType<Koa['callback']> {
    return this.front(super.callback() as RequestHandler) as ReturnType<Koa['callback']>;
  }
}

/** Builds the koa application. It never listens: callers use `app.callback()`. */
export function createApp(options: AppOptions): Koa {
  // With TRUST_PROXY, ctx.ip is the address our proxy appended to X-Forwarded-For (the last
  // one), never an earlier one that the client itself could have written.
  const koaOptions = { proxy: options.trustProxy, maxIpsCount: options.trustProxy ? 1 : 0 };
  const lane = options.lane;
  for (const route of lane?.routes ?? []) {
    if (options.database?.servedWithout?.(route.path))
      throw new TypeError(`${route.path} is served without the database: the connector lane cannot serve it`);
  }
  const app = lane
    ? new LanedKoa(
        koaOptions,
        connectorLane({
          routes: lane.routes,
          gate: lane.gate,
          logger: options.logger,
          bodyLimitBytes: options.bodyLimitBytes,
          trustProxy: options.trustProxy,
          ...(options.basePath ? { basePath: options.basePath } : {}),
          ...(options.metrics ? { metrics: options.metrics } : {}),
          ...(options.database ? { database: options.database } : {}),
        }),
      )
    : new Koa(koaOptions);
  if (options.cookieKeys) app.keys = [...options.cookieKeys];
  app.silent = true; // errors are logged by the error mapper, once, with the request id
  if (options.publicUrl) pinPublicOrigin(app, options.publicUrl);
  app.use(requestContext(options.logger));
  if (options.metrics)
    app.use(
      httpMetrics(
        options.metrics,
        (options.mounts ?? []).map(({ prefix }) => prefix),
      ),
    );
  app.use(securityHeaders());
  const database = options.database;
  app.use(errorMapper(options.logger, database?.reportUnavailable));
  if (options.basePath) app.use(stripBasePath(options.basePath));
  // Before any route, mount or database work: `%00` in the path or the query (src/http/nul.ts).
  app.use(refuseNulInUrl((options.mounts ?? []).map(({ prefix }) => prefix)));
  if (database?.deadlineMs !== undefined) app.use(databaseDeadline(database.deadlineMs));
  if (database) {
    app.use(
      failFastWhileDatabaseDown({
        isDown: database.isDown,
        servedWithout: (path) => path.startsWith('/health/') || (database.servedWithout?.(path) ?? false),
        oauthPrefixes: (options.mounts ?? []).map(({ prefix }) => prefix),
      }),
    );
  }
  for (const guard of options.guards ?? []) app.use(guard);
  const mounts = options.mounts ?? [];
  if (mounts.length > 0) {
    app.use(async (ctx, next) => {
      if (mounts.some(({ prefix }) => ctx.path === prefix || ctx.path.startsWith(`${prefix}/`)))
        ctx.state.skipBodyReader = true;
      await next();
    });
  }
  app.use(bodyReader(options.bodyLimitBytes));
  // One root router: the capability routers' routes are merged into it, so a request is
  // matched once against every route instead of once per capability.
  const root = new Router();
  for (const router of [healthRoutes(options.readiness), ...options.routers]) root.use(router.routes());
  app.use(root.routes());
  app.use(root.allowedMethods());
  for (const { middleware } of mounts) app.use(middleware);
  return app;
}
