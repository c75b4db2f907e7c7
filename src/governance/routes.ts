import Router from '@koa/router';
import { BadRequestError, requestBody } from '../http/index.js';
import type { Board } from './board.js';
import type { GovernanceEngine } from './engine.js';

/**
 * Motions and votes. Opening a motion and voting need no session: the signed statement is
 * the authentication (a board member's own DID key), and it is kept verbatim.
 */
export function governanceRoutes(engine: GovernanceEngine, board: Board): Router {
  const router = new Router();
  router.post('/api/v1/motions', async (ctx) => {
    const motion = await engine.openMotion(requestBody(ctx).motion);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/motions/${encodeURIComponent(motion.id)}`);
    ctx.body = motion;
  });
  router.get('/api/v1/motions', async (ctx) => {
    const status = typeof ctx.query.status === 'string' ? ctx.query.status : undefined;
    if (status !== undefined && !['open', 'approved', 'rejected'].includes(status)) {
      throw new BadRequestError('invalid_request', 'status must be open, approved or rejected');
    }
    ctx.body = { items: await engine.motions(status ? { status } : {}) };
  });
  router.get('/api/v1/motions/:id', async (ctx) => {
    ctx.body = await engine.motion(ctx.params.id ?? '');
  });
  router.post('/api/v1/motions/:id/votes', async (ctx) => {
    const motion = await engine.castVote(ctx.params.id ?? '', requestBody(ctx).vote);
    ctx.status = 201;
    ctx.body = motion;
  });
  router.get('/api/v1/board', async (ctx) => {
    ctx.body = { items: (await board.list()).filter((member) => member.status === 'active') };
  });
  return router;
}
