import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '../log/logger.js';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** A path segment that looks like an opaque handle (state, uid, code, token), not a name or a DID. */
const OPAQUE_SEGMENT = /^[A-Za-z0-9_-]{16,}$/;

/**
 * The path as the request log writes it: the matched route's template when a router matched
 * (`/oid4vp/request/:state`: parameters are never written), else the path with opaque segments
 * replaced. The query string is reduced to its parameter names: `state`, `code`, `response_code`
 * and tokens never reach the log.
 */
export function loggedPath(ctx: Context): { path: string; query?: string } {
  const route = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  // A mounted app's router (the OpenID provider at /oidc) names its routes below the mount path.
  const mountPath = (ctx as Context & { mountPath?: unknown }).mountPath;
  const mounted =
    typeof route === 'string' && typeof mountPath === 'string' && !route.startsWith(mountPath)
      ? `${mountPath.replace(/\/$/, '')}${route}`
      : route;
  const path =
    typeof mounted === 'string'
      ? mounted
      : ctx.path
          .split('/')
          .map((segment) => (OPAQUE_SEGMENT.test(segment) ? ':redacted' : segment))
          .join('/');
  const names = [...new Set(Object.keys(ctx.query))];
  return names.length > 0 ? { path, query: names.map((name) => `${name}=[redacted]`).join('&') } : { path };
}

/** The request's id: the caller's X-Request-Id when it is a sane token, else a fresh UUID. */
export function requestIdFrom(offered: string | undefined): string {
  return offered !== undefined && ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
}

/** The request log's line of one answered request (its duration is added when it is written). */
export interface RequestLogLine {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly query?: string;
  readonly status: number;
  readonly client: string;
}

/**
 * Writes one request's line: errors (but 503, an outage) at error, 503 at warn; health probes,
 * asked every few seconds by orchestrators, at debug unless they fail; the rest at info.
 */
export function logRequest(
  logger: Logger,
  line: RequestLogLine,
  startedAt: bigint,
  healthProbe: boolean,
): void {
  const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
  const entry = {
    requestId: line.requestId,
    method: line.method,
    path: line.path,
    ...(line.query === undefined ? {} : { query: line.query }),
    status: line.status,
    ms: Math.round(ms * 10) / 10,
    client: line.client,
  };
  if (line.status >= 500 && line.status !== 503) logger.error(entry, 'request');
  else if (line.status >= 500) logger.warn(entry, 'request');
  else if (healthProbe) logger.debug(entry, 'request');
  else logger.info(entry, 'request');
}

/**
 * Gives each request an id (`requestIdFrom`), echoes it, and logs one line per request with
 * method, path (redacted: `loggedPath`), status, duration and the client address (`ctx.ip`: the
 * X-Forwarded-For client only when TRUST_PROXY is set).
 */
export function requestContext(logger: Logger) {
  return async function withRequestId(ctx: Context, next: Next): Promise<void> {
    const requestId = requestIdFrom(ctx.get('x-request-id'));
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      logRequest(
        logger,
        { requestId, method: ctx.method, ...loggedPath(ctx), status: ctx.status, client: ctx.ip },
        started,
        ctx.path.startsWith('/health/'),
      );
    }
  };
}
