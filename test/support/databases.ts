/**
 * Runs a suite against every database the product supports. SQLite always; PostgreSQL when
 * TEST_POSTGRES_URL (default: the local cluster's `dataspace_trust_test` database) answers.
 * Under CI=true a PostgreSQL that does not answer fails the suite instead of skipping it.
 *
 * Each call of `fresh()` creates a new, empty database (a new SQLite directory, or a new
 * PostgreSQL database created from the admin connection) and drops it after the suite.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface TestDatabase {
  readonly kind: DatabaseKind;
  /** Always set: a fresh directory (holds the SQLite file and generated secrets). */
  readonly dataDir: string;
  /** Set for PostgreSQL. */
  readonly databaseUrl: string | undefined;
}

export const ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/dataspace_trust_test';
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

let postgresAvailable: Promise<boolean> | undefined;

export function isPostgresAvailable(): Promise<boolean> {
  postgresAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch (error) {
      if (IN_CI)
        throw new Error(`PostgreSQL at ${ADMIN_URL} is required under CI: ${(error as Error).message}`);
      process.stderr.write(
        `\n  [skip] PostgreSQL at ${ADMIN_URL} does not answer; PostgreSQL suites are skipped\n`,
      );
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgresAvailable;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function postgresUrlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.href;
}

/** Creates an empty PostgreSQL database and returns its URL and a function that drops it. */
export async function createPostgresDatabase(): Promise<{
  url: string;
  name: string;
  drop: () => Promise<void>;
}> {
  const name = `dst_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    url: postgresUrlFor(name),
    name,
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/**
 * `describe` once per database kind. The callback gets `fresh()`, which makes a new empty
 * database for the calling test or hook; everything made is removed after the suite.
 */
export function describeEachDatabase(
  title: string,
  body: (fresh: () => Promise<TestDatabase>, kind: DatabaseKind) => void,
) {
  for (const kind of ['sqlite', 'postgres'] as const) {
    describe(`${title} [${kind}]`, () => {
      const cleanups: Array<() => Promise<void>> = [];
      before(async function () {
        if (kind === 'postgres' && !(await isPostgresAvailable())) this.skip();
      });
      after(async function () {
        // Dropping many PostgreSQL databases WITH (FORCE) takes long on a loaded machine.
        this.timeout(180_000);
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      });
      const fresh = async (): Promise<TestDatabase> => {
        const dataDir = mkdtempSync(join(tmpdir(), 'dst-test-'));
        cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
        if (kind === 'sqlite') return { kind, dataDir, databaseUrl: undefined };
        const database = await createPostgresDatabase();
        cleanups.push(database.drop);
        return { kind, dataDir, databaseUrl: database.url };
      };
      body(fresh, kind);
    });
  }
}
