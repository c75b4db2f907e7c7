import Router from '@koa/router';
import type { Context } from 'koa';
import type { AuthenticatedConnector, RequireConnector } from '../http/index.js';
import { requestBody } from '../http/request-body.js';
import { EventError } from './errors.js';
import { type EventFeed, MAX_FEED_LIMIT } from './feed.js';
import type { Subscriptions } from './subscriptions.js';

/** The OAuth scope a connector's access token needs for every route here. */
export const EVENTS_SCOPE = 'events';
export const MAX_DELIVERY_LIMIT = 100;
const DEFAULT_LIMIT = 100;
const WHOLE_NUMBER = /^(0|[1-9][0-9]{0,14})$/;

export interface EventRoutesDeps {
  readonly subscriptions: Subscriptions;
  readonly feed: EventFeed;
  /** The composition root's connector-token middleware (src/http/connector-token.ts): sets `ctx.state.connector` or refuses. */
  readonly authenticate: RequireConnector;
}

/**
 * The member API of events, every route behind a connector token with scope `events`:
 * - `GET /api/v1/events?after=&limit=`: the feed (see feed.ts; `next` is an opaque cursor, cursor.ts);
 * - `POST /api/v1/events/subscriptions` `{ url, types }` → 201; `GET` lists the member's own;
 * - `DELETE /api/v1/events/subscriptions/{id}` → 204;
 * - `GET /api/v1/events/subscriptions/{id}/deliveries?before=&limit=&state=`: the delivery log.
 */
export function eventRoutes(deps: EventRoutesDeps): Router {
  const router = new Router();
  const member = deps.authenticate(EVENTS_SCOPE);
  const caller = (ctx: Context): string => {
    const principal = ctx.state.connector as AuthenticatedConnector | undefined;
    // The middleware refuses before this runs; reaching here without a principal is a wiring bug.
    if (!principal?.did) throw new Error('the events routes ran without an authenticated connector');
    return principal.did;
  };
  router.get('/api/v1/events', member, async (ctx) => {
    const after = feedPosition(ctx, deps.feed, caller(ctx));
    const limit = pageLimit(ctx, MAX_FEED_LIMIT);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.feed.page(caller(ctx), after, limit);
  });
  router.post('/api/v1/events/subscriptions', member, async (ctx) => {
    const created = await deps.subscriptions.create(caller(ctx), requestBody(ctx));
    ctx.status = 201;
    ctx.set('Location', `/api/v1/events/subscriptions/${created.id}`);
    ctx.body = created;
  });
  router.get('/api/v1/events/subscriptions', member, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { items: await deps.subscriptions.list(caller(ctx)) };
  });
  router.get('/api/v1/events/subscriptions/:id', member, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.subscriptions.get(caller(ctx), ctx.params.id ?? '');
  });
  router.delete('/api/v1/events/subscriptions/:id', member, async (ctx) => {
    await deps.subscriptions.remove(caller(ctx), ctx.params.id ?? '');
    ctx.status = 204;
  });
  router.get('/api/v1/events/subscriptions/:id/deliveries', member, async (ctx) => {
    const before =
      ctx.query.before === undefined ? undefined : wholeNumber(ctx, 'before', 0, 'invalid_before');
    const state = ctx.query.state;
    if (state !== undefined && typeof state !== 'string')
      throw new EventError('invalid_state', 'state must be given once');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.subscriptions.deliveries(caller(ctx), ctx.params.id ?? '', {
      limit: pageLimit(ctx, MAX_DELIVERY_LIMIT),
      ...(before === undefined ? {} : { before }),
      ...(state === undefined ? {} : { state }),
    });
  });
  return router;
}

function wholeNumber(
  ctx: Context,
  name: string,
  fallback: number,
  code: 'invalid_after' | 'invalid_before',
): number {
  const value = ctx.query[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !WHOLE_NUMBER.test(value))
    throw new EventError(code, `${name} must be a whole number`);
  return Number(value);
}

/**
 * Where the feed resumes: absent (the start), a `next` cursor this member was given, or the
 * `seq` of an event it received (a pushed SET). Anything else, including another member's
 * cursor, is `invalid_after`.
 */
function feedPosition(ctx: Context, feed: EventFeed, memberDid: string): number {
  const value = ctx.query.after;
  if (value === undefined) return 0;
  if (typeof value !== 'string') throw new EventError('invalid_after', 'after must be given once');
  if (WHOLE_NUMBER.test(value)) return Number(value);
  const position = feed.position(value, memberDid);
  if (position === undefined)
    throw new EventError(
      'invalid_after',
      'after must be the `next` of a page of this feed, or the `seq` of an event',
    );
  return position;
}

function pageLimit(ctx: Context, max: number): number {
  const value = ctx.query.limit;
  if (value === undefined) return Math.min(DEFAULT_LIMIT, max);
  if (typeof value !== 'string' || !WHOLE_NUMBER.test(value) || Number(value) < 1 || Number(value) > max)
    throw new EventError('invalid_limit', `limit must be 1 to ${max}`);
  return Number(value);
}
