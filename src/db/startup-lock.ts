/**
 * One lock per database around the work that must not run twice at once when replicas (or a
 * `migrate` command) start together: migrations and the creation of the service identity.
 *
 * - PostgreSQL: a session advisory lock (`pg_advisory_lock`) on a dedicated connection, not
 *   one of the pool's: the migrations themselves need pooled connections, and a pool of one
 *   would otherwise wait for itself. The lock dies with the session, so a replica killed
 *   while holding it never blocks the others.
 * - SQLite: a write transaction (`BEGIN IMMEDIATE`) on a small lock file beside the database,
 *   through its own connection. SQLite's file lock is released by the operating system when
 *   a process dies, so there is no stale lock file to clean up. The wait is a poll with a
 *   zero busy timeout: better-sqlite3 is synchronous, and blocking the event loop would
 *   deadlock two data sources of one process (as in the tests).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

/** The advisory lock key: a fixed 64-bit number, "dataspace-trust startup". */
const ADVISORY_KEY = '7394021865530119001';

export const STARTUP_LOCK_FILE = 'dataspace-trust.startup-lock';

export interface StartupLockOptions {
  /** PostgreSQL URL, or undefined for SQLite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** How long to wait for another process to finish (default 120 s); then the start fails. */
  readonly waitMs?: number;
  /** Connection options for the dedicated PostgreSQL connection (timeouts, keepalive). */
  readonly postgres?: pg.ClientConfig;
}

export class StartupLockTimeoutError extends Error {
  constructor(waitMs: number) {
    super(
      `another process held the startup lock for more than ${waitMs} ms (migrations or identity creation)`,
    );
    this.name = 'StartupLockTimeoutError';
  }
}

/** Runs `work` while holding the database's startup lock. */
export async function withStartupLock<T>(options: StartupLockOptions, work: () => Promise<T>): Promise<T> {
  const waitMs = options.waitMs ?? 120_000;
  return options.databaseUrl !== undefined
    ? withAdvisoryLock(options.databaseUrl, options.postgres ?? {}, waitMs, work)
    : withSqliteLock(join(options.dataDir, STARTUP_LOCK_FILE), waitMs, work);
}

async function withAdvisoryLock<T>(
  url: string,
  config: pg.ClientConfig,
  waitMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    ...config,
    connectionString: url,
    application_name: 'dataspace-trust startup',
  });
  // An error on an idle client (the server went away) must not crash the process: the next query fails.
  client.on('error', () => {});
  await client.connect();
  try {
    // lock_timeout bounds the wait on the advisory lock itself (PostgreSQL raises 55P03).
    await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(waitMs))}`);
    try {
      await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_KEY]);
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') throw new StartupLockTimeoutError(waitMs);
      throw error;
    }
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_KEY]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

async function withSqliteLock<T>(path: string, waitMs: number, work: () => Promise<T>): Promise<T> {
  const lock = new Database(path);
  try {
    lock.pragma('busy_timeout = 0');
    const deadline = Date.now() + waitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      try {
        lock.exec('BEGIN IMMEDIATE');
        break;
      } catch (error) {
        if (!String((error as { code?: string }).code).startsWith('SQLITE_BUSY')) throw error;
        if (Date.now() > deadline) throw new StartupLockTimeoutError(waitMs);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    try {
      return await work();
    } finally {
      lock.exec('ROLLBACK');
    }
  } finally {
    lock.close();
  }
}
