import Router from '@koa/router';
import type { Context } from 'koa';
import { BadRequestError } from '../http/errors.js';
import type { AuditLog } from './log.js';

/** The largest `limit` of `GET /api/v1/audit`. */
export const MAX_PAGE_LIMIT = 500;
const DEFAULT_PAGE_LIMIT = 100;
const WHOLE_NUMBER = /^(0|[1-9][0-9]{0,14})$/;

/**
 * The public read API of the audit log:
 * - `GET /api/v1/audit?after=<sequence>&limit=<1..500>`: entries in sequence order,
 *   `{ items, next }`, where `next` is the `after` of the following page (null at the end);
 * - `GET /api/v1/audit/checkpoint`: a fresh checkpoint signed by the service DID;
 * - `GET /api/v1/audit/checkpoints?after=<size>&limit=<1..500>`: the stored checkpoints by
 *   size, `{ items, next }`.
 * With these and the DID document, anyone can verify the log without the operator's database
 * (`dataspace-trust audit verify --url`). Bad parameters are `400` problems with code `invalid_after` or `invalid_limit`.
 */
export function auditRoutes(log: AuditLog): Router {
  const router = new Router();

  router.get('/api/v1/audit', async (ctx) => {
    const after = wholeNumber(ctx, 'after', 0, 'invalid_after');
    const limit = wholeNumber(ctx, 'limit', DEFAULT_PAGE_LIMIT, 'invalid_limit');
    if (limit < 1 || limit > MAX_PAGE_LIMIT) {
      throw new BadRequestError('invalid_limit', `limit must be 1 to ${MAX_PAGE_LIMIT}.`);
    }
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.body = await log.page({ after, limit });
  });

  router.get('/api/v1/audit/checkpoints', async (ctx) => {
    const after = wholeNumber(ctx, 'after', 0, 'invalid_after');
    const limit = wholeNumber(ctx, 'limit', DEFAULT_PAGE_LIMIT, 'invalid_limit');
    if (limit < 1 || limit > MAX_PAGE_LIMIT) {
      throw new BadRequestError('invalid_limit', `limit must be 1 to ${MAX_PAGE_LIMIT}.`);
    }
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.body = await log.checkpointPage({ after, limit });
  });

  router.get('/api/v1/audit/checkpoint', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.body = await log.checkpoint();
  });

  return router;
}

function wholeNumber(ctx: Context, name: string, fallback: number, code: string): number {
  const value = ctx.query[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !WHOLE_NUMBER.test(value)) {
    throw new BadRequestError(code, `${name} must be a whole number.`);
  }
  return Number(value);
}
