import Router from '@koa/router';

export interface ReadinessProbe {
  /** False while shutting down. */
  readonly accepting: () => boolean;
  /** True when the database answers. */
  readonly database: () => Promise<boolean>;
}

/**
 * Liveness says the process serves HTTP. Readiness says it should get traffic: the database
 * answers and no shutdown has begun. Each probe asks the database afresh, so readiness comes
 * back by itself when the database does.
 */
export function healthRoutes(probe: ReadinessProbe): Router {
  const router = new Router();
  router.get('/health/live', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'live' };
  });
  router.get('/health/ready', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const accepting = probe.accepting();
    const database = accepting ? await probe.database() : false;
    const ready = accepting && database;
    ctx.status = ready ? 200 : 503;
    ctx.body = {
      status: ready ? 'ready' : 'unavailable',
      checks: { database: database ? 'up' : 'down', shutdown: accepting ? 'no' : 'in_progress' },
    };
  });
  return router;
}
