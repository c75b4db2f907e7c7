import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { outsideDatabaseDeadline } from './deadline.js';
import { MIGRATIONS } from './migrations/index.js';
import { DeadlineClient, deadlinePostgresDriver } from './pg-deadline.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  /** PostgreSQL URL; undefined means the embedded SQLite file in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly poolSize?: number;
  /**
   * The bound of one statement, in ms (default 10 000): PostgreSQL's `statement_timeout` on the
   * server and a read timeout a little longer on the client (a stalled network never lets the
   * server's own timeout answer). SQLite waits at most this long for another process's write lock.
   */
  readonly statementTimeoutMs?: number;
  /** How long connecting, or waiting for a pooled connection, may take (default 5 000 ms). */
  readonly connectTimeoutMs?: number;
  /** The entities of every capability, assembled by the composition root. */
  // biome-ignore lint/complexity/noBannedTypes: TypeORM's own entity list type
  readonly entities: MixedList<Function | string | EntitySchema>;
}

export const SQLITE_FILE_NAME = 'dataspace-trust.sqlite';

/**
 * The TypeORM data source: SQLite file under DATA_DIR by default, PostgreSQL when a URL is
 * given. Never synchronizes; the schema comes only from the migration list.
 */
export function createDataSource(options: DatabaseOptions): DataSource {
  const common = {
    entities: options.entities,
    migrations: [...MIGRATIONS],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
  };
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  if (options.databaseUrl !== undefined) {
    return new DataSource({
      ...common,
      type: 'postgres',
      // Within a request, the pool's wait and each statement end at the request's deadline.
      driver: deadlinePostgresDriver,
      url: options.databaseUrl,
      poolSize: options.poolSize ?? 10,
      extra: {
        max: options.poolSize ?? 10,
        Client: DeadlineClient,
        ...postgresClientBounds({
          statementTimeoutMs,
          connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        }),
        idleTimeoutMillis: 30_000,
        application_name: 'dataspace-trust',
        onConnect: guardPooledClient,
      },
    });
  }
  mkdirSync(options.dataDir, { recursive: true });
  return new DataSource({
    ...common,
    type: 'better-sqlite3',
    database: join(options.dataDir, SQLITE_FILE_NAME),
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      // WAL lets readers (health checks, the registry) proceed while a writer commits;
      // the busy timeout makes a second process wait for the write lock instead of failing.
      db.pragma('journal_mode = WAL');
      db.pragma(`busy_timeout = ${Math.floor(statementTimeoutMs)}`);
      db.pragma('foreign_keys = ON');
    },
  });
}

/**
 * Every pooled connection keeps an `error` listener for its whole life (pg-pool's `onConnect`).
 * pg emits a dead connection's error on the client as well as failing its queries, and the pool
 * and TypeORM listen only while a client is idle or checked out by them: a server that ends a
 * connection (`pg_terminate_backend`, a failover) just as a query released it, or while it was
 * being removed, emitted an error with no listener, which is an uncaught exception that ended
 * the process (SRE review: a replica crashed under connection kills). The error itself still
 * reaches whoever used the connection: its queries fail, and the pool drops it.
 */
export function guardPooledClient(client: {
  on(event: 'error', listener: (error: Error) => void): unknown;
}): void {
  client.on('error', ignoreConnectionError);
}

function ignoreConnectionError(): void {}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The bounds every PostgreSQL connection of the service gets (the pool's and the startup
 * lock's): no query, connection attempt or wait for a pooled connection lasts longer than
 * configured, and TCP keepalive notices a peer that vanished without closing the connection.
 */
export function postgresClientBounds(bounds: { statementTimeoutMs: number; connectTimeoutMs: number }) {
  return {
    // pg-pool applies it both to connecting and to waiting for a free connection.
    connectionTimeoutMillis: bounds.connectTimeoutMs,
    // 0 leaves statements unbounded (the startup lock bounds its wait with lock_timeout).
    ...(bounds.statementTimeoutMs > 0
      ? {
          statement_timeout: bounds.statementTimeoutMs,
          // The client gives up a little after the server would have: a stalled network never answers.
          query_timeout: bounds.statementTimeoutMs + 1_000,
        }
      : {}),
    // A transaction left open by a stuck client must not hold its locks for ever.
    idle_in_transaction_session_timeout: Math.max(60_000, bounds.statementTimeoutMs * 3),
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

export function databaseKind(dataSource: DataSource): DatabaseKind {
  return dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

/** Runs pending migrations in order, each in its own transaction. Returns the names applied. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((migration) => migration.name);
}

/**
 * Answers whether the database answers a trivial query within `timeoutMs`. Never throws:
 * readiness asks this on every probe.
 */
export async function pingDatabase(dataSource: DataSource, timeoutMs = 2_000): Promise<boolean> {
  if (!dataSource.isInitialized) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('database ping timed out')), timeoutMs);
    });
    // A probe answers for every request: never cut short by the deadline of the one that asked.
    await Promise.race([outsideDatabaseDeadline(() => dataSource.query('SELECT 1')), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
