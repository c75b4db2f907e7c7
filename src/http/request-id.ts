import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '../log/logger.js';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives each request an id (the caller's X-Request-Id when it is a sane token, else a UUID),
 * echoes it, and logs one line per request with method, path, status, duration and the client
 * address (`ctx.ip`: the X-Forwarded-For client only when TRUST_PROXY is set). Health probes,
 * asked every few seconds by orchestrators, are logged at debug unless they fail.
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
        path: ctx.path,
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
