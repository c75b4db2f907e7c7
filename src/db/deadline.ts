/**
 * One deadline for all the database work of one HTTP request.
 *
 * Each wait for the database has its own bound (the pool's connection wait, a statement, SQLite's
 * busy wait), and a request doing several of them could wait for the sum: an agreement check took
 * about 15 s against a 10 s statement bound while PostgreSQL stalled (SRE finding). A koa
 * middleware (src/http/database-deadline.ts) sets the instant by which the request's database
 * work must be over; every wait below then lasts at most the time left to it, and a wait that
 * would start after it fails at once with `DatabaseDeadlineExceededError` (a 503
 * `database_unavailable` like every other outage). The deadline travels with the request's
 * asynchronous work (AsyncLocalStorage); work outside requests (jobs, sweeps, migrations, the
 * health probe) has none and keeps the configured bounds.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface DeadlineScope {
  /** Epoch milliseconds by which the database work must be over; undefined: no deadline. */
  readonly at: number | undefined;
}

const scope = new AsyncLocalStorage<DeadlineScope>();
const NO_DEADLINE: DeadlineScope = { at: undefined };

/** The stable code of the error below; `isDatabaseUnavailable` reads it. */
export const DATABASE_DEADLINE_EXCEEDED = 'DATABASE_DEADLINE_EXCEEDED';

/** The request's database deadline passed before (or while) it waited for the database. */
export class DatabaseDeadlineExceededError extends Error {
  override readonly name = 'DatabaseDeadlineExceededError';
  readonly code = DATABASE_DEADLINE_EXCEEDED;
  constructor() {
    super("the request's database deadline passed");
  }
}

/** Runs `work` with its database work bounded to end by `at` (epoch ms). */
export function withDatabaseDeadline<T>(at: number, work: () => T): T {
  return scope.run({ at }, work);
}

/**
 * Runs `work` without the caller's deadline, under the configured bounds only: work that must
 * not be cut by one request's deadline (a shared health probe, a COMMIT already decided on).
 */
export function outsideDatabaseDeadline<T>(work: () => T): T {
  return scope.run(NO_DEADLINE, work);
}

/** The current deadline (epoch ms), or undefined outside a request. */
export function databaseDeadline(): number | undefined {
  return scope.getStore()?.at;
}

/**
 * The milliseconds left to the current deadline, at most `bound` (the configured bound of the
 * wait; undefined or 0 for none). Undefined when there is neither. Throws
 * `DatabaseDeadlineExceededError` when the deadline has passed: no wait starts after it.
 */
export function boundedByDeadline(bound: number | undefined): number | undefined {
  const at = scope.getStore()?.at;
  if (at === undefined) return bound || undefined;
  const left = Math.ceil(at - Date.now());
  if (left <= 0) throw new DatabaseDeadlineExceededError();
  return bound ? Math.min(bound, left) : left;
}

/** Throws `DatabaseDeadlineExceededError` when the current deadline has passed. */
export function assertBeforeDeadline(): void {
  const at = scope.getStore()?.at;
  if (at !== undefined && Date.now() >= at) throw new DatabaseDeadlineExceededError();
}
