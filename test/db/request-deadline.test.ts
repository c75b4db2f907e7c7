import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import {
  DATABASE_DEADLINE_EXCEEDED,
  outsideDatabaseDeadline,
  withDatabaseDeadline,
} from '../../src/db/deadline.js';
import {
  BatchedRead,
  createDataSource,
  inTransaction,
  isDatabaseUnavailable,
  reading,
  SQLITE_FILE_NAME,
} from '../../src/db/index.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';

/** The configured bounds are long, so that only the deadline can explain a quick answer. */
const STATEMENT_TIMEOUT_MS = 5_000;
/** Room for a loaded machine between the deadline and the failure. */
const MARGIN_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Another connection holding the write lock on the scratch table (or the SQLite file). */
interface LockHolder {
  release(): Promise<void>;
}

async function holdLock(database: TestDatabase): Promise<LockHolder> {
  if (database.databaseUrl === undefined) {
    const other = new Database(join(database.dataDir, SQLITE_FILE_NAME));
    other.exec('BEGIN EXCLUSIVE');
    return {
      release: async () => {
        other.exec('ROLLBACK');
        other.close();
      },
    };
  }
  const other = new pg.Client({ connectionString: database.databaseUrl });
  await other.connect();
  await other.query('BEGIN');
  await other.query('LOCK TABLE deadline_scratch IN ACCESS EXCLUSIVE MODE');
  return {
    release: async () => {
      await other.query('ROLLBACK');
      await other.end();
    },
  };
}

async function rowCount(dataSource: DataSource): Promise<number> {
  const rows = (await dataSource.query('SELECT COUNT(*) AS n FROM deadline_scratch')) as { n: unknown }[];
  return Number(rows[0]?.n);
}

/** Runs `work` as a request whose database deadline is `ms` from now; answers its error and time. */
async function failureWithin(
  ms: number,
  work: () => Promise<unknown>,
): Promise<{ error: unknown; elapsed: number }> {
  const started = Date.now();
  const error = await withDatabaseDeadline(started + ms, work).then(
    () => assert.fail('the work finished although its deadline passed'),
    (caught: unknown) => caught,
  );
  return { error, elapsed: Date.now() - started };
}

describeEachDatabase("a request's database deadline bounds all its database work", (fresh, kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let holder: LockHolder | undefined;

  before(async () => {
    database = await fresh();
    dataSource = createDataSource({
      ...database,
      entities: [],
      poolSize: 1,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: STATEMENT_TIMEOUT_MS,
    });
    await dataSource.initialize();
    // inTransaction takes SQLite's write lock through TypeORM's migrations table.
    await dataSource.query('CREATE TABLE migrations (id INTEGER)');
    await dataSource.query('CREATE TABLE deadline_scratch (id VARCHAR(40) PRIMARY KEY)');
  });
  afterEach(async () => {
    await holder?.release();
    holder = undefined;
    await dataSource.query('DELETE FROM deadline_scratch');
  });
  after(async () => {
    await dataSource?.destroy();
  });

  it('rolls back a write that waits for a lock past its deadline: 503-worthy error by the deadline, no row afterwards', async () => {
    holder = await holdLock(database);
    const { error, elapsed } = await failureWithin(400, () =>
      inTransaction(dataSource, undefined, (manager) =>
        manager.query("INSERT INTO deadline_scratch (id) VALUES ('stalled')"),
      ),
    );
    assert.ok(isDatabaseUnavailable(error), `not an outage: ${String(error)}`);
    assert.ok(elapsed < 400 + MARGIN_MS, `failed after ${elapsed} ms`);
    await holder.release();
    holder = undefined;
    await sleep(300);
    assert.equal(await rowCount(dataSource), 0);
  });

  it('never commits a transaction whose work outlasts the deadline', async () => {
    const { error } = await failureWithin(300, () =>
      inTransaction(dataSource, undefined, async (manager) => {
        await manager.query("INSERT INTO deadline_scratch (id) VALUES ('late')");
        await sleep(400);
      }),
    );
    assert.equal((error as { code?: string }).code, DATABASE_DEADLINE_EXCEEDED);
    assert.equal(await rowCount(dataSource), 0);
  });

  it('commits a transaction that finishes before its deadline', async () => {
    await withDatabaseDeadline(Date.now() + 5_000, () =>
      inTransaction(dataSource, undefined, (manager) =>
        manager.query("INSERT INTO deadline_scratch (id) VALUES ('in-time')"),
      ),
    );
    assert.equal(await rowCount(dataSource), 1);
  });

  it('starts no database work once the deadline has passed', async () => {
    const { error } = await failureWithin(0, () =>
      reading(dataSource, undefined, (manager) => manager.query('SELECT 1')),
    );
    assert.equal((error as { code?: string }).code, DATABASE_DEADLINE_EXCEEDED);
  });

  if (kind === 'postgres') {
    // On SQLite the lock holder of these tests is in this process, and better-sqlite3's busy wait
    // blocks it: the lock could not be released while the wait lasts.
    it('leaves work outside a request to the configured bounds: a lock held for 1 s is waited for', async () => {
      holder = await holdLock(database);
      const held = holder;
      setTimeout(() => void held.release(), 1_000);
      holder = undefined;
      await outsideDatabaseDeadline(() =>
        inTransaction(dataSource, undefined, (manager) =>
          manager.query("INSERT INTO deadline_scratch (id) VALUES ('patient')"),
        ),
      );
      assert.equal(await rowCount(dataSource), 1);
    });

    it('cancels an autocommit write stalled past its deadline on the server: it is not executed once the lock is gone', async () => {
      holder = await holdLock(database);
      const { error, elapsed } = await failureWithin(400, () =>
        dataSource.query("INSERT INTO deadline_scratch (id) VALUES ('autocommit')"),
      );
      assert.ok(isDatabaseUnavailable(error), `not an outage: ${String(error)}`);
      assert.ok(elapsed < 400 + MARGIN_MS, `failed after ${elapsed} ms`);
      await sleep(200);
      await holder.release();
      holder = undefined;
      await sleep(300);
      assert.equal(await rowCount(dataSource), 0);
    });

    it('bounds the wait for a pooled connection and the statement after it by one deadline (pool of 1, its connection held)', async () => {
      holder = await holdLock(database);
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      const released = sleep(500).then(() => runner.release());
      // Without the deadline: 0.5 s for the connection, then up to 6 s for the statement.
      const { error, elapsed } = await failureWithin(1_000, () =>
        dataSource.query('SELECT COUNT(*) FROM deadline_scratch'),
      );
      await released;
      assert.ok(isDatabaseUnavailable(error), `not an outage: ${String(error)}`);
      assert.ok(elapsed >= 900, `failed early, after ${elapsed} ms`);
      assert.ok(elapsed < 1_000 + MARGIN_MS, `failed after ${elapsed} ms`);
    });

    it('a batched read fails each caller at its own deadline, the statement runs until the latest of them', async () => {
      const read = new BatchedRead<{ id: string }>(dataSource, {
        many: { name: 'deadline_scratch_many', text: 'SELECT id FROM deadline_scratch WHERE id = ANY($1)' },
        one: { name: 'deadline_scratch_one', text: 'SELECT id FROM deadline_scratch WHERE id = $1' },
        keyOf: (row) => [row.id],
      });
      holder = await holdLock(database);
      const started = Date.now();
      // Asked in the same turn: one statement for both keys.
      const early = withDatabaseDeadline(started + 300, () => read.read('a')).then(
        () => assert.fail('answered through a lock'),
        (error: unknown) => ({ error, elapsed: Date.now() - started }),
      );
      const late = withDatabaseDeadline(started + 1_200, () => read.read('b')).then(
        () => assert.fail('answered through a lock'),
        (error: unknown) => ({ error, elapsed: Date.now() - started }),
      );
      const [first, second] = await Promise.all([early, late]);
      assert.equal((first.error as { code?: string }).code, DATABASE_DEADLINE_EXCEEDED);
      assert.ok(first.elapsed < 300 + MARGIN_MS, `the early caller failed after ${first.elapsed} ms`);
      assert.ok(isDatabaseUnavailable(second.error), `not an outage: ${String(second.error)}`);
      assert.ok(second.elapsed >= 1_100, `the late caller failed early, after ${second.elapsed} ms`);
      assert.ok(second.elapsed < 1_200 + MARGIN_MS, `the late caller failed after ${second.elapsed} ms`);
      await holder.release();
      holder = undefined;
      await dataSource.query("INSERT INTO deadline_scratch (id) VALUES ('a')");
      const rows = await withDatabaseDeadline(Date.now() + 2_000, () => read.read('a'));
      assert.deepEqual(rows, [{ id: 'a' }]);
    });

    it("TypeORM's own transaction past its deadline: COMMIT is refused, ROLLBACK still runs, the one pooled connection is clean after", async () => {
      const { error } = await failureWithin(300, () =>
        dataSource.transaction(async (manager) => {
          await manager.query("INSERT INTO deadline_scratch (id) VALUES ('typeorm')");
          await sleep(400);
        }),
      );
      assert.equal((error as { code?: string }).code, DATABASE_DEADLINE_EXCEEDED);
      assert.equal(await rowCount(dataSource), 0);
      // Not "current transaction is aborted", nor the row seen from inside an open transaction.
      await dataSource.query("INSERT INTO deadline_scratch (id) VALUES ('after')");
      assert.equal(await rowCount(dataSource), 1);
    });

    it("a statement queued for the pool carries its own request's deadline, not that of the request which opened the connection (SRE: instant 503s)", async () => {
      const own = createDataSource({
        ...database,
        entities: [],
        poolSize: 1,
        statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      });
      await own.initialize();
      try {
        const pool = (own.driver as unknown as { master: pg.Pool }).master;
        // The connection TypeORM opened at start is closed, so that the next one is opened anew...
        const { rows } = await pool.query('SELECT pg_backend_pid() AS pid');
        const killer = new pg.Client({ connectionString: database.databaseUrl });
        await killer.connect();
        await killer.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
        await killer.end();
        while (pool.totalCount > 0) await sleep(20);
        // ...within a request whose deadline then passes.
        await withDatabaseDeadline(Date.now() + 300, () => pool.query('SELECT 1'));
        await sleep(400);
        // Two later requests with time to spare share it: the second waits for the first, and is
        // handed the connection when the first's answer arrives on the old connection's socket.
        const first = withDatabaseDeadline(Date.now() + 10_000, () => pool.query('SELECT pg_sleep(0.2)'));
        const second = withDatabaseDeadline(Date.now() + 10_000, () => pool.query('SELECT 2 AS two'));
        await first;
        assert.equal((await second).rows[0]?.two, 2);
      } finally {
        await own.destroy();
      }
    });

    it('bounds the wait for a pooled connection alone by the deadline, not the connect timeout', async () => {
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      try {
        const { error, elapsed } = await failureWithin(300, () => dataSource.query('SELECT 1'));
        assert.ok(isDatabaseUnavailable(error), `not an outage: ${String(error)}`);
        assert.ok(elapsed < 300 + MARGIN_MS, `failed after ${elapsed} ms`);
      } finally {
        await runner.release();
      }
    });
  }
});
