/**
 * A transaction's connection terminated while the transaction waits between two statements
 * (SRE review: two replicas on PostgreSQL, every backend terminated every 3 s while connectors
 * published notices; five answers were 500 `internal_error`, QueryRunnerAlreadyReleasedError).
 * node-postgres reports a connection that dies while no statement of it is running as the
 * client's `error` event (also when the server's FATAL arrives in the same read as the answer
 * to the last statement), TypeORM then releases the query runner, and the transaction's next
 * statement is refused with QueryRunnerAlreadyReleasedError. That is an outage (503
 * `database_unavailable`, Retry-After), and nothing is written; a runner released by our own
 * code, with its connection alive, stays a bug (500).
 *
 * Deterministic: the transaction is paused between its statements while the test terminates
 * its backend (pg_terminate_backend from an admin connection) and waits for the client to see it.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { QueryRunnerAlreadyReleasedError } from 'typeorm';
import type { AuditEvent } from '../../src/audit/index.js';
import {
  createDataSource,
  DATABASE_CONNECTION_LOST,
  inTransaction,
  isCommitOutcomeUnknown,
  isDatabaseUnavailable,
} from '../../src/db/index.js';
import { type ConsentWorld, connectorToken, consentWorld, parkingNotice } from '../consent/support.js';
import { ADMIN_URL, createPostgresDatabase, isPostgresAvailable } from '../support/databases.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Terminates every backend of `database` but the admin's own; answers how many. */
async function terminateBackends(database: string): Promise<number> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return rows.filter((row: { ok: boolean }) => row.ok).length;
  } finally {
    await admin.end();
  }
}

/** Waits until TypeORM has seen the connection of `manager`'s runner die (and released the runner). */
async function untilReleased(manager: EntityManager): Promise<void> {
  for (let waited = 0; !manager.queryRunner?.isReleased; waited += 10) {
    if (waited > 5_000) assert.fail('the runner was not released after its backend was terminated');
    await sleep(10);
  }
}

describe('a transaction whose connection is terminated between two statements [postgres]', () => {
  let dataSource: DataSource | undefined;
  let drop: (() => Promise<void>) | undefined;
  let name = '';

  before(async function () {
    if (!(await isPostgresAvailable())) return this.skip();
    const database = await createPostgresDatabase();
    drop = database.drop;
    name = database.name;
    dataSource = createDataSource({
      dataDir: mkdtempSync(join(tmpdir(), 'dst-lost-')),
      databaseUrl: database.url,
      entities: [],
      poolSize: 2,
    });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE lost_scratch (id VARCHAR(20) PRIMARY KEY)');
  });
  after(async () => {
    await dataSource?.destroy();
    await drop?.();
  });

  const rows = async () => {
    const result = (await (dataSource as DataSource).query('SELECT COUNT(*) AS n FROM lost_scratch')) as {
      n: string;
    }[];
    return Number(result[0]?.n);
  };

  it('fails as an outage (503, not of unknown outcome), writes nothing, and the pool serves again', async () => {
    const source = dataSource as DataSource;
    const error = await inTransaction(source, undefined, async (manager) => {
      await manager.query(`INSERT INTO lost_scratch VALUES ('first')`);
      assert.equal(await terminateBackends(name), 1);
      await untilReleased(manager);
      await manager.query(`INSERT INTO lost_scratch VALUES ('second')`);
    }).then(
      () => assert.fail('the transaction committed on a terminated connection'),
      (caught: unknown) => caught,
    );
    assert.equal((error as { code?: string }).code, DATABASE_CONNECTION_LOST);
    assert.ok(isDatabaseUnavailable(error), `not an outage: ${String(error)}`);
    assert.ok(!isCommitOutcomeUnknown(error), 'no COMMIT was sent');
    assert.equal(await rows(), 0);
    await inTransaction(source, undefined, (manager) =>
      manager.query(`INSERT INTO lost_scratch VALUES ('later')`),
    );
    assert.equal(await rows(), 1);
    await source.query('DELETE FROM lost_scratch');
  });

  it('when the connection dies after the last statement: the COMMIT is never sent, an outage of known outcome', async () => {
    const source = dataSource as DataSource;
    const error = await inTransaction(source, undefined, async (manager) => {
      await manager.query(`INSERT INTO lost_scratch VALUES ('last')`);
      assert.equal(await terminateBackends(name), 1);
      await untilReleased(manager);
    }).then(
      () => assert.fail('the transaction committed on a terminated connection'),
      (caught: unknown) => caught,
    );
    assert.equal((error as { code?: string }).code, DATABASE_CONNECTION_LOST);
    assert.ok(!isCommitOutcomeUnknown(error), 'the COMMIT was never sent: nothing was applied');
    assert.equal(await rows(), 0);
  });

  it('keeps a released runner used by our own code (every connection alive) a bug, not an outage', async () => {
    const source = dataSource as DataSource;
    // A manager kept beyond its transaction: its runner was released when that one committed.
    let escaped: QueryRunner | undefined;
    await inTransaction(source, undefined, async (manager) => {
      escaped = manager.queryRunner;
    });
    const error = await inTransaction(source, undefined, async (manager) => {
      await manager.query(`INSERT INTO lost_scratch VALUES ('misused')`);
      await (escaped as QueryRunner).query('SELECT 1');
    }).then(
      () => assert.fail('the misuse went unnoticed'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof QueryRunnerAlreadyReleasedError, `another error: ${String(error)}`);
    assert.ok(!isDatabaseUnavailable(error), 'a misuse of our own was taken for an outage');
    assert.equal(await rows(), 0);
  });
});

describe('POST /api/v1/notices while every backend of the service is terminated mid-transaction [postgres]', () => {
  let world: ConsentWorld | undefined;
  let drop: (() => Promise<void>) | undefined;
  let name = '';
  let url = '';
  let token = '';

  before(async function () {
    this.timeout(180_000);
    if (!(await isPostgresAvailable())) return this.skip();
    const database = await createPostgresDatabase();
    drop = database.drop;
    name = database.name;
    url = database.url;
    world = await consentWorld(
      { kind: 'postgres', dataDir: mkdtempSync(join(tmpdir(), 'dst-lost-')), databaseUrl: database.url },
      { listen: true },
    );
    token = await connectorToken(world, world.city, 'notices');
  });
  after(async function () {
    this.timeout(60_000);
    await world?.close();
    await drop?.();
  });

  /** Rows of the notice tables and of the audit log, read on a connection of the test's own. */
  const counts = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT (SELECT COUNT(*) FROM consent_notice) AS notices,
                (SELECT COUNT(*) FROM consent_notice_version) AS versions,
                (SELECT COUNT(*) FROM audit_entry) AS audit`,
      );
      const row = rows[0] as Record<string, string>;
      return { notices: Number(row.notices), versions: Number(row.versions), audit: Number(row.audit) };
    } finally {
      await client.end();
    }
  };

  const publish = () =>
    request((world as ConsentWorld).app)
      .post('/api/v1/notices')
      .set('authorization', `Bearer ${token}`)
      .send({ notice: parkingNotice() });

  it('answers 503 database_unavailable with Retry-After, half-writes nothing, and publishes again after', async function () {
    this.timeout(60_000);
    const service = (world as ConsentWorld).service;
    const before = await counts();
    // The notice rows are inserted; the transaction is paused before its audit entry while
    // every backend of the service is terminated, as the SRE did.
    const audit = service.audit as {
      append: (event: AuditEvent, manager?: EntityManager) => Promise<unknown>;
    };
    const append = audit.append.bind(audit);
    let terminated = 0;
    audit.append = async (event, manager) => {
      if (manager) {
        terminated = await terminateBackends(name);
        await untilReleased(manager);
      }
      return append(event, manager);
    };
    let response: request.Response;
    try {
      response = await publish();
    } finally {
      delete (audit as { append?: unknown }).append;
    }
    assert.ok(terminated >= 1, 'no backend was terminated');
    assert.equal(response.status, 503, response.text);
    assert.equal(response.type, 'application/problem+json');
    assert.equal(response.body.code, 'database_unavailable');
    assert.match(response.headers['retry-after'] ?? '', /^\d+$/);
    assert.deepEqual(await counts(), before);
    // The pool drops the dead connections and the service recovers on its own.
    let again = await publish();
    for (let attempt = 0; again.status === 503 && attempt < 30; attempt++) {
      await sleep(200);
      again = await publish();
    }
    assert.equal(again.status, 201, again.text);
    const after = await counts();
    assert.deepEqual(after, {
      notices: before.notices + 1,
      versions: before.versions + 1,
      audit: before.audit + 1,
    });
  });
});
