import type { DataSource } from 'typeorm';
import { inTransaction, isPostgres } from './transactions.js';

/** A table whose expired rows are deleted, and how its expiry is written. */
export interface SweepTarget {
  readonly table: string;
  readonly column: string;
  /** `iso`: an ISO-8601 UTC string (compared as text); `epoch-ms`: milliseconds since 1970. */
  readonly format: 'iso' | 'epoch-ms';
}

/** The advisory lock that lets one replica at a time sweep (an arbitrary, fixed 64-bit key). */
const SWEEP_LOCK = 7_950_000_000_120;
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Deletes the rows of every target that expired before `now`, and answers how many went.
 * On PostgreSQL the sweep is claimed with a transaction-level advisory lock
 * (`pg_try_advisory_xact_lock`): while one replica sweeps, the others skip this round (answer
 * `undefined`) instead of deleting the same rows at once. On SQLite the database's write lock
 * already makes sweeps take turns.
 */
export async function sweepExpired(
  dataSource: DataSource,
  targets: readonly SweepTarget[],
  now: Date,
): Promise<Record<string, number> | undefined> {
  for (const target of targets) {
    if (!IDENTIFIER.test(target.table) || !IDENTIFIER.test(target.column)) {
      throw new Error(`not a plain SQL identifier: ${target.table}.${target.column}`);
    }
  }
  const postgres = isPostgres(dataSource);
  return inTransaction(dataSource, undefined, async (manager) => {
    if (postgres) {
      const [row] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS claimed', [SWEEP_LOCK]);
      if (!row?.claimed) return undefined;
    }
    const deleted: Record<string, number> = {};
    for (const target of targets) {
      const cutoff = target.format === 'iso' ? now.toISOString() : now.getTime();
      const result = await manager
        .createQueryBuilder()
        .delete()
        .from(target.table)
        .where(`${target.column} < :cutoff`, { cutoff })
        .execute();
      deleted[target.table] = result.affected ?? 0;
    }
    return deleted;
  });
}

/** Runs sweepExpired every `intervalMs` (timer unref'd) until the returned stop is called. */
export function startSweeper(options: {
  readonly dataSource: DataSource;
  readonly targets: readonly SweepTarget[];
  readonly intervalMs: number;
  readonly now: () => Date;
  readonly onError: (error: unknown) => void;
}): () => void {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => sweepExpired(options.dataSource, options.targets, options.now()))
      .catch(options.onError);
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
