import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  /** PostgreSQL URL; undefined means the embedded SQLite file in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly poolSize?: number;
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
  if (options.databaseUrl !== undefined) {
    return new DataSource({
      ...common,
      type: 'postgres',
      url: options.databaseUrl,
      poolSize: options.poolSize ?? 10,
      extra: {
        max: options.poolSize ?? 10,
        // How long a query may wait for a pooled connection under load (readiness pings have their own 2 s limit).
        connectionTimeoutMillis: 15_000,
        idleTimeoutMillis: 30_000,
        application_name: 'dataspace-trust',
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
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
    },
  });
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
    await Promise.race([dataSource.query('SELECT 1'), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
