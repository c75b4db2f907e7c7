import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import request from 'supertest';
import { SQLITE_FILE_NAME } from '../../src/db/index.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

/**
 * Long statement and connect bounds, a short deadline, one pooled connection: only the
 * deadline can make a stalled request answer quickly, and a request waits for the pool too.
 */
const DEADLINE_MS = 1_000;
const ENV = {
  REQUEST_DATABASE_DEADLINE_MS: String(DEADLINE_MS),
  DATABASE_STATEMENT_TIMEOUT_MS: '5000',
  DATABASE_CONNECT_TIMEOUT_MS: '5000',
  DATABASE_POOL_SIZE: '1',
};
/** Writing the answer, and a loaded machine. */
const MARGIN_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function assertDatabaseUnavailable(response: request.Response): void {
  assert.equal(response.status, 503);
  assert.equal(response.type, 'application/problem+json');
  assert.equal(JSON.parse(response.text).code, 'database_unavailable');
  assert.match(response.headers['retry-after'] ?? '', /^\d+$/);
}

/** Another connection (another process, for SQLite) holding `table` (the whole file) locked. */
async function holdLock(database: TestDatabase, table: string): Promise<() => Promise<void>> {
  if (database.databaseUrl === undefined) {
    const other = new Database(join(database.dataDir, SQLITE_FILE_NAME));
    other.exec('BEGIN EXCLUSIVE');
    return async () => {
      other.exec('ROLLBACK');
      other.close();
    };
  }
  const other = new pg.Client({ connectionString: database.databaseUrl });
  await other.connect();
  await other.query('BEGIN');
  await other.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return async () => {
    await other.query('ROLLBACK');
    await other.end();
  };
}

async function challengeCount(service: Service): Promise<number> {
  const rows = (await service.dataSource.query('SELECT COUNT(*) AS n FROM membership_challenge')) as {
    n: unknown;
  }[];
  return Number(rows[0]?.n);
}

/** Asks until the member list answers 200 again (the outage probe may have marked the database down). */
async function answersAgain(app: Parameters<typeof request>[0]): Promise<void> {
  let response = await request(app).get('/api/v1/members');
  for (let attempt = 0; response.status !== 200 && attempt < 30; attempt++) {
    await sleep(200);
    response = await request(app).get('/api/v1/members');
  }
  assert.equal(response.status, 200);
}

describeEachDatabase(
  'REQUEST_DATABASE_DEADLINE_MS: one deadline for all the database work of a request',
  (fresh, kind) => {
    let database: TestDatabase;
    let service: Service;
    before(async function () {
      this.timeout(120_000);
      database = await fresh();
      service = await openTestService(database, ENV);
    });
    after(async () => {
      await service?.close();
    });

    it('a request that finishes in time is unaffected', async () => {
      const app = service.app.callback();
      await request(app).get('/api/v1/members').expect(200);
      const before = await challengeCount(service);
      await request(app).get('/api/v1/membership/challenge').expect(200);
      assert.equal(await challengeCount(service), before + 1);
    });

    it('a write stalled past its deadline answers 503 with Retry-After by the deadline, and leaves no row', async function () {
      this.timeout(30_000);
      const app = service.app.callback();
      await answersAgain(app);
      const before = await challengeCount(service);
      const release = await holdLock(database, 'membership_challenge');
      let elapsed: number;
      try {
        const started = Date.now();
        assertDatabaseUnavailable(await request(app).get('/api/v1/membership/challenge'));
        elapsed = Date.now() - started;
      } finally {
        await sleep(200);
        await release();
      }
      assert.ok(elapsed < DEADLINE_MS + MARGIN_MS, `answered after ${elapsed} ms`);
      await sleep(300);
      assert.equal(await challengeCount(service), before);
      await answersAgain(app);
    });

    if (kind === 'postgres') {
      it('a request that waits for the pool (its one connection held) and then for a stalled statement answers 503 by the deadline', async function () {
        this.timeout(30_000);
        const app = service.app.callback();
        await answersAgain(app);
        const release = await holdLock(database, 'member');
        const runner = service.dataSource.createQueryRunner();
        await runner.connect();
        const returned = sleep(400).then(() => runner.release());
        let elapsed: number;
        try {
          const started = Date.now();
          assertDatabaseUnavailable(await request(app).get('/api/v1/members'));
          elapsed = Date.now() - started;
        } finally {
          await returned;
          await release();
        }
        // Without the deadline: 0.4 s for the connection, then up to 6 s for the statement.
        assert.ok(elapsed < DEADLINE_MS + MARGIN_MS, `answered after ${elapsed} ms`);
        await answersAgain(app);
      });
    }
  },
);
