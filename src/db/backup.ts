/**
 * Online backup and restore of the embedded SQLite database. Copying the database file of a
 * running service is not a backup: in WAL mode the recent commits live in the `-wal` file, and
 * a copy of the main file alone can even be empty. `VACUUM INTO` writes a consistent snapshot
 * (one read transaction) while the service keeps writing. PostgreSQL has its own tools
 * (`pg_dump`, `pg_restore`), documented in docs/operations.md.
 */
import { closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { SQLITE_FILE_NAME } from './data-source.js';
import { exclusive } from './transactions.js';

/** A lock file that every process using an SQLite DATA_DIR holds a shared lock on. */
export const IN_USE_LOCK_FILE = 'dataspace-trust.in-use';

export type BackupErrorCode =
  | 'backup_target_exists'
  | 'not_a_backup'
  | 'restore_target_in_use'
  | 'restore_target_not_empty';

export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupSummary {
  readonly file: string;
  /** Migrations recorded in the copy: the schema version it restores to. */
  readonly migrations: number;
}

/**
 * Writes a consistent copy of the open SQLite database to `file`, which must not exist in any
 * form: not even as a dangling symbolic link, which SQLite would follow and create its target.
 * The copy holds the service's encrypted keys and every member's data, so it is created
 * readable by its owner only (0600) before SQLite writes into it (VACUUM INTO accepts an
 * empty file and keeps its mode).
 */
export async function backupSqlite(dataSource: DataSource, file: string): Promise<BackupSummary> {
  let fd: number;
  try {
    // O_CREAT | O_EXCL: fails for any existing path, a symbolic link included (never followed).
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new BackupError('backup_target_exists', `${file} exists already: choose a new file`);
    throw error;
  }
  try {
    await exclusive(dataSource, () => dataSource.query('VACUUM INTO ?', [file]));
  } catch (error) {
    rmSync(file, { force: true });
    throw error;
  } finally {
    closeSync(fd);
  }
  return { file, migrations: checkBackup(file) };
}

/** Checks that `file` is an intact database of this service; answers how many migrations it holds. */
export function checkBackup(file: string): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`integrity check: ${String(integrity)}`);
    return (db.prepare('SELECT COUNT(*) AS n FROM migrations').get() as { n: number }).n;
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(
      'not_a_backup',
      `${file} is not a database of this service: ${(error as Error).message}`,
    );
  } finally {
    db?.close();
  }
}

/**
 * Marks the SQLite DATA_DIR as in use for as long as this process runs the service (a shared
 * lock the operating system drops when the process ends, even killed). Returns the release.
 */
export function markInUse(dataDir: string): () => void {
  const db = new Database(join(dataDir, IN_USE_LOCK_FILE));
  db.exec('BEGIN');
  db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
  return () => {
    if (!db.open) return;
    db.exec('COMMIT');
    db.close();
  };
}

/**
 * Restores a backup into DATA_DIR. Refuses while any process uses the directory, and over a
 * database that holds data unless `force`. Uses SQLite's backup API, which writes the target
 * through SQLite (no stale `-wal` file of the old database survives).
 */
export async function restoreSqlite(options: {
  readonly file: string;
  readonly dataDir: string;
  readonly force: boolean;
}): Promise<BackupSummary> {
  const migrations = checkBackup(options.file);
  mkdirSync(options.dataDir, { recursive: true });
  const guard = new Database(join(options.dataDir, IN_USE_LOCK_FILE));
  try {
    guard.pragma('busy_timeout = 0');
    try {
      guard.exec('BEGIN EXCLUSIVE');
    } catch {
      throw new BackupError(
        'restore_target_in_use',
        `a service or command is using ${options.dataDir}: stop it before restoring`,
      );
    }
    const target = join(options.dataDir, SQLITE_FILE_NAME);
    if (!options.force && existsSync(target) && holdsData(target)) {
      throw new BackupError(
        'restore_target_not_empty',
        `${target} holds a database already: restore into an empty DATA_DIR, or pass --force to replace it`,
      );
    }
    const source = new Database(options.file, { readonly: true, fileMustExist: true });
    try {
      await source.backup(target);
    } finally {
      source.close();
    }
    return { file: target, migrations };
  } finally {
    if (guard.inTransaction) guard.exec('ROLLBACK');
    guard.close();
  }
}

function holdsData(file: string): boolean {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
      n: number;
    };
    return tables.n > 0;
  } finally {
    db.close();
  }
}
