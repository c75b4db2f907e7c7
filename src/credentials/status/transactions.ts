import type { DataSource, EntityManager } from 'typeorm';

/*
 * TypeORM's better-sqlite3 driver has one connection and one query runner for the whole data
 * source. Two `dataSource.transaction()` calls that overlap in time therefore do not run side by
 * side: the second becomes a SAVEPOINT inside the first, and the first one's COMMIT then
 * releases the other's savepoint, while a later ROLLBACK of the second throws away the first
 * one's committed work. On SQLite, the work of this module is therefore queued per data
 * source, so that its transactions never overlap one another. PostgreSQL gives each
 * transaction its own pooled connection and needs no queue.
 */

const queues = new WeakMap<DataSource, Promise<void>>();

const BUSY_RETRIES = 5;

/** Runs `work` after every earlier call for the same SQLite data source has finished. */
export async function exclusive<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  if (dataSource.options.type === 'postgres') return work();
  const previous = queues.get(dataSource) ?? Promise.resolve();
  let release: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  queues.set(
    dataSource,
    previous.then(() => done),
  );
  await previous;
  try {
    return await work();
  } finally {
    release();
  }
}

/**
 * Runs `work` in a transaction: the caller's, when `manager` belongs to one (the work then
 * commits or rolls back with the caller's), or a new one of its own. A transaction of its own
 * that SQLite refuses because another process holds the write lock (`SQLITE_BUSY*`, after the
 * busy timeout) is retried from the start a few times.
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  manager: EntityManager | undefined,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (manager?.queryRunner?.isTransactionActive) return work(manager);
  return exclusive(dataSource, async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await dataSource.transaction(work);
      } catch (error) {
        if (!isSqliteBusy(error) || attempt >= BUSY_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  });
}

/** Runs a read outside any transaction of the caller's: queued on SQLite, like the writes. */
export function reading<T>(
  dataSource: DataSource,
  manager: EntityManager | undefined,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (manager) return work(manager);
  return exclusive(dataSource, () => work(dataSource.manager));
}

function isSqliteBusy(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
