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

/**
 * Gives each request an id (the caller's X-Request-Id when it is a sane token, else a UUID),
 * echoes it, and logs one line per request with method, path (redacted: `loggedPath`), status,
 * duration and the client address (`ctx.ip`: the X-Forwarded-For client only when TRUST_PROXY is
 * set). Health probes, asked every few seconds by orchestrators, are logged at debug unless they fail.
 */
export function requestContext(logger: Logger) {
  return async function withRequestId(ctx: Context, next: Next): Promise<void> {
    const offered = ctx.get('x-request-id');
    const requestId = ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        requestId,
        method: ctx.method,
        ...loggedPath(ctx),
        status: ctx.status,
        ms: Math.round(ms * 10) / 10,
        client: ctx.ip,
      };
      if (ctx.status >= 500 && ctx.status !== 503) logger.error(line, 'request');
      else if (ctx.status >= 500) logger.warn(line, 'request');
      else if (ctx.path.startsWith('/health/')) logger.debug(line, 'request');
      else logger.info(line, 'request');
    }
  };
}
