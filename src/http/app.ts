import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../log/logger.js';
import { bodyReader } from './body.js';
import { errorMapper } from './error-mapper.js';
import { healthRoutes, type ReadinessProbe } from './health.js';
import { requestContext } from './request-id.js';

export interface AppOptions {
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly trustProxy: boolean;
  readonly readiness: ReadinessProbe;
  /** Capability routers, mounted in order. */
  readonly routers: readonly Router[];
  /** Keys that sign koa cookies (the OpenID Connect provider's cookie keys, later). */
  readonly cookieKeys?: readonly string[];
}

/** Builds the koa application. It never listens: callers use `app.callback()`. */
export function createApp(options: AppOptions): Koa {
  const app = new Koa({ proxy: options.trustProxy });
  if (options.cookieKeys) app.keys = [...options.cookieKeys];
  app.silent = true; // errors are logged by the error mapper, once, with the request id
  app.use(requestContext(options.logger));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    await next();
  });
  app.use(errorMapper(options.logger));
  app.use(bodyReader(options.bodyLimitBytes));
  // One root router: the capability routers' routes are merged into it, so a request is
  // matched once against every route instead of once per capability.
  const root = new Router();
  for (const router of [healthRoutes(options.readiness), ...options.routers]) root.use(router.routes());
  app.use(root.routes());
  app.use(root.allowedMethods());
  return app;
}
