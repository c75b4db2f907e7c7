import type { Middleware } from 'koa';
import { withDatabaseDeadline } from '../db/deadline.js';

/**
 * Gives the request one deadline for all its database work (src/db/deadline.ts), counted from
 * its arrival: every wait for the database below (a pooled connection, each statement, SQLite's
 * busy wait and queue) lasts at most the time left, so an outage answers 503
 * `database_unavailable` with Retry-After by the deadline (plus the time to write the answer),
 * not after the sum of each wait's own bound. Runs inside the error mapper.
 */
export function databaseDeadline(deadlineMs: number, now: () => number = Date.now): Middleware {
  return function withRequestDatabaseDeadline(_ctx, next) {
    return withDatabaseDeadline(now() + deadlineMs, next);
  };
}
