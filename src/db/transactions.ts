import {
  type DataSource,
  type EntityManager,
  type QueryRunner,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';
import {
  assertBeforeDeadline,
  boundedByDeadline,
  DatabaseDeadlineExceededError,
  outsideDatabaseDeadline,
} from './deadline.js';
import { CommitOutcomeUnknownError, DatabaseConnectionLostError, isDatabaseUnavailable } from './errors.js';

/*
 * TypeORM's better-sqlite3 driver has one connection and one query runner for the whole data
 * source. Two `dataSource.transaction()` calls that overlap in time do not run side by side:
 * the second becomes a SAVEPOINT inside the first, the first one's COMMIT releases it, and a
 * ROLLBACK of either can take the other's work with it. A statement run outside a
 * transaction while one is open on that connection even joins it. So on SQLite every database
 * use of this service goes through one queue per data source (`exclusive`), and transactions
 * through `inTransaction`. PostgreSQL gives each transaction its own pooled connection and
 * needs no queue.
 */

const queues = new WeakMap<DataSource, Promise<void>>();

const BUSY_RETRIES = 5;

/*
 * A SQLite transaction that reads first and writes later must upgrade its read lock, and when
 * another process wrote in between SQLite refuses the upgrade at once (SQLITE_BUSY) without
 * waiting for the busy timeout. A write that changes nothing, as the first statement, takes
 * the write lock at the start instead (like BEGIN IMMEDIATE), waiting under the busy timeout.
 * TypeORM's own `migrations` table exists in every database this service opens.
 */
const TAKE_WRITE_LOCK = 'UPDATE migrations SET id = id WHERE 1 = 0';

export function isPostgres(dataSource: DataSource): boolean {
  return dataSource.options.type === 'postgres';
}

/** Runs `work` after every earlier call for the same SQLite data source has finished. */
export async function exclusive<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  if (isPostgres(dataSource)) return work();
  const previous = queues.get(dataSource) ?? Promise.resolve();
  let release: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  queues.set(
    dataSource,
    previous.then(() => done),
  );
  try {
    await waitForTurn(previous);
  } catch (error) {
    // Our turn is given up: the queue moves on as soon as the work before us is over.
    void previous.then(release);
    throw error;
  }
  try {
    return await withBusyWaitBounded(dataSource, work);
  } finally {
    release();
  }
}

/**
 * Waits for the work queued before, at most until the request's database deadline (SQLite's
 * single connection: waiting for it is waiting for the database).
 */
async function waitForTurn(previous: Promise<void>): Promise<void> {
  const left = boundedByDeadline(undefined);
  if (left === undefined) return previous;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      previous,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DatabaseDeadlineExceededError()), left);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `work` in a transaction: the caller's, when `manager` belongs to an active one (the
 * work then commits or rolls back with it), or a new one. On SQLite a new transaction takes
 * the write lock first and is retried from the start a few times if SQLite still answers
 * `SQLITE_BUSY*` (another process held the lock beyond the busy timeout).
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  manager: EntityManager | undefined,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (manager?.queryRunner?.isTransactionActive) return work(manager);
  const sqlite = !isPostgres(dataSource);
  if (!sqlite) return postgresTransaction(dataSource, work);
  return exclusive(dataSource, async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await dataSource.transaction(async (own) => {
          if (sqlite) await own.query(TAKE_WRITE_LOCK);
          const result = await work(own);
          // Never commit after the deadline: the request answers 503, so the write must not stay.
          assertBeforeDeadline();
          return result;
        });
      } catch (error) {
        if (!isSqliteBusy(error) || attempt >= BUSY_RETRIES) throw error;
        assertBeforeDeadline();
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  });
}

/**
 * A PostgreSQL transaction on its own pooled connection, as `dataSource.transaction()` but for
 * how it ends when the database stalls. TypeORM rolls back, swallows a failed ROLLBACK and
 * returns the connection to the pool. After a client-side timeout the connection is out of step
 * with the server: the timed-out statement may still fail there later (its statement_timeout),
 * leaving the session "idle in transaction (aborted)", and the next request that borrows it
 * gets "current transaction is aborted" (500s for as long as traffic keeps it in use). So a
 * transaction that ends with the database unavailable, or whose ROLLBACK fails, discards its
 * connection instead (the server rolls back when the socket closes), without waiting for a
 * ROLLBACK that would only time out too.
 *
 * A connection that dies while no statement of the transaction runs (a terminated backend
 * between two statements, or whose FATAL arrives in the same read as the last answer) is
 * reported by node-postgres as the client's `error` event, on which TypeORM releases the runner:
 * the next statement (or the COMMIT, then never sent) is refused with TypeORM's "already
 * released" error. That refusal, and only when the connection did die, is the outage it stands
 * for (DatabaseConnectionLostError, 503), not a bug (SRE review: 500s while every backend was
 * terminated). A runner released by our own code, its connection alive, keeps TypeORM's error.
 */
async function postgresTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const connection = new ConnectionWatch();
  let broken: Error | undefined;
  try {
    connection.watch(await runner.connect());
    await runner.startTransaction();
    const result = await work(runner.manager);
    // The commit guarantee of the request's database deadline: COMMIT is sent only before the
    // deadline, and once sent, its outcome is awaited under the statement bound alone (never
    // cut by the deadline). A transaction whose deadline passed is rolled back: its statements
    // failed (their read timeout, the statement cancelled) or this check fails, and the
    // connection is discarded below, which ends the transaction on the server without a COMMIT.
    // A COMMIT sent whose answer does not come (a dropped connection, a server stalled past the
    // statement bound, which may still commit when it resumes) has an unknown outcome, and the
    // error says so (503 `commit_outcome_unknown`), never a plain outage (SRE review).
    assertBeforeDeadline();
    try {
      await outsideDatabaseDeadline(() => runner.commitTransaction());
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw new CommitOutcomeUnknownError(error);
      throw error;
    }
    return result;
  } catch (caught) {
    const lost = connection.lost;
    const error = lost && isRunnerReleased(caught) ? new DatabaseConnectionLostError(lost) : caught;
    if (lost) broken = lost;
    else if (isDatabaseUnavailable(error)) broken = error as Error;
    else if (runner.isTransactionActive) {
      try {
        await runner.rollbackTransaction();
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
    }
    throw error;
  } finally {
    connection.unwatch();
    if (broken) await discardConnection(runner, broken);
    else await runner.release();
  }
}

/** A pooled node-postgres client, as far as its `error` event goes. */
interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** Records the `error` event of a transaction's connection: the connection died. */
class ConnectionWatch {
  lost: Error | undefined;
  private client: ErrorEmitter | undefined;
  private readonly onError = (error: Error) => {
    this.lost ??= error;
  };

  watch(client: unknown): void {
    const emitter = client as Partial<ErrorEmitter> | undefined;
    if (typeof emitter?.on !== 'function' || typeof emitter.removeListener !== 'function') return;
    this.client = emitter as ErrorEmitter;
    this.client.on('error', this.onError);
  }

  /** Before the client goes back to the pool, which hands it to others. */
  unwatch(): void {
    this.client?.removeListener('error', this.onError);
    this.client = undefined;
  }
}

/** TypeORM's refusal of a statement on a released query runner (from the runner or its manager). */
function isRunnerReleased(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof QueryRunnerAlreadyReleasedError || e instanceof QueryRunnerProviderAlreadyReleasedError)
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Gives the runner's connection back to the pool as broken, so that pg-pool closes it. */
async function discardConnection(runner: QueryRunner, error: Error): Promise<void> {
  // TypeORM's PostgresQueryRunner releases with an error this way (pg-pool then drops the
  // client); it is not in its type declarations, hence the check.
  const internal = runner as unknown as { releasePostgresConnection?: (err: Error) => Promise<void> };
  if (typeof internal.releasePostgresConnection === 'function') {
    await internal.releasePostgresConnection(error);
    return;
  }
  // Otherwise end the client first: pg-pool never reuses a client that is ending.
  const client = (runner as unknown as { databaseConnection?: { end(): Promise<void> } }).databaseConnection;
  client?.end().catch(() => {});
  await runner.release();
}

/** Runs reads (or a single statement) outside any transaction: queued on SQLite like the writes. */
export function reading<T>(
  dataSource: DataSource,
  manager: EntityManager | undefined,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (manager) return work(manager);
  return exclusive(dataSource, () => work(dataSource.manager));
}

interface SqliteConnection {
  pragma(source: string, options?: { simple: boolean }): unknown;
}

/** The busy wait each SQLite connection was opened with (DATABASE_STATEMENT_TIMEOUT_MS). */
const configuredBusyWait = new WeakMap<SqliteConnection, number>();

/**
 * Runs `work` with SQLite's busy wait (how long a statement waits for another process's write
 * lock) at most the time left to the request's deadline, and restores the configured wait after.
 */
async function withBusyWaitBounded<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const db = (dataSource.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
  const left = boundedByDeadline(undefined);
  if (left === undefined || !db) return work();
  let configured = configuredBusyWait.get(db);
  if (configured === undefined) {
    configured = Number(db.pragma('busy_timeout', { simple: true }));
    configuredBusyWait.set(db, configured);
  }
  if (left >= configured) return work();
  db.pragma(`busy_timeout = ${left}`);
  try {
    return await work();
  } finally {
    db.pragma(`busy_timeout = ${configured}`);
  }
}

function isSqliteBusy(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
