import type Router from '@koa/router';
import type Koa from 'koa';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/log/logger.js';

/** A koa app with only the given capability routers (no database), for supertest through `app.callback()`. */
export function appWithRouters(...routers: Router[]): Koa {
  return createApp({
    logger: createLogger('silent'),
    bodyLimitBytes: 16_384,
    trustProxy: false,
    readiness: { accepting: () => true, database: async () => true },
    routers,
  });
}
