/**
 * The connector checks' hot reads (src/db/prepared.ts): a named statement on PostgreSQL, the
 * queued connection on SQLite. Same rows as any other read, parameters bound per call (a name
 * reused with other values answers for those values), and an outage is still recognised as one.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  createDataSource,
  isDatabaseUnavailable,
  type PreparedRead,
  preparedRead,
} from '../../src/db/index.js';
import { createPostgresDatabase, describeEachDatabase, isPostgresAvailable } from '../support/databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const ADD_ONE: PreparedRead = {
  name: 'test_prepared_add_one',
  text: 'SELECT CAST($1 AS INTEGER) + 1 AS n, CAST($2 AS TEXT) AS label',
};

describeEachDatabase('a prepared read', (fresh, kind) => {
  let dataSource: DataSource;
  before(async () => {
    const database = await fresh();
    dataSource = createDataSource({ ...database, entities: [], poolSize: 3 });
    await dataSource.initialize();
  });
  after(async () => dataSource?.destroy());

  it('binds its parameters on every call: the same statement answers for each call’s values', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        preparedRead<{ n: number | string; label: string }>(dataSource, ADD_ONE, [i, `call ${i}`]),
      ),
    );
    answers.forEach((rows, i) => {
      assert.equal(rows.length, 1);
      assert.equal(Number(rows[0]?.n), i + 1);
      assert.equal(rows[0]?.label, `call ${i}`);
    });
  });

  if (kind === 'postgres') {
    it('is a named statement on the server: pg_prepared_statements of a pooled connection lists it', async () => {
      // The twenty calls above ran on every pooled connection; TypeORM borrows one of them.
      const rows = (await dataSource.query('SELECT name FROM pg_prepared_statements WHERE name = $1', [
        ADD_ONE.name,
      ])) as unknown[];
      assert.equal(rows.length, 1);
    });
  }

  it('gives the rows a query through TypeORM gives', async () => {
    const viaTypeorm = (await dataSource.query(
      dataSource.options.type === 'postgres'
        ? 'SELECT CAST($1 AS INTEGER) + 1 AS n, CAST($2 AS TEXT) AS label'
        : 'SELECT CAST(? AS INTEGER) + 1 AS n, CAST(? AS TEXT) AS label',
      [41, 'x'],
    )) as unknown[];
    assert.deepEqual(await preparedRead(dataSource, ADD_ONE, [41, 'x']), viaTypeorm);
  });
});

describe('a prepared read while PostgreSQL stalls', () => {
  const context: { proxy?: TcpProxy; dataSource?: DataSource; drop?: () => Promise<void> } = {};
  before(async function () {
    if (!(await isPostgresAvailable())) this.skip();
    const database = await createPostgresDatabase();
    context.drop = database.drop;
    const target = new URL(database.url);
    context.proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${await context.proxy.start()}`;
    context.dataSource = createDataSource({
      databaseUrl: viaProxy.href,
      dataDir: mkdtempSync(join(tmpdir(), 'dst-prepared-')),
      entities: [],
      statementTimeoutMs: 500,
      connectTimeoutMs: 500,
    });
    await context.dataSource.initialize();
  });
  after(async () => {
    context.proxy?.resume();
    await context.dataSource?.destroy().catch(() => {});
    await context.proxy?.cut();
    await context.drop?.();
  });

  it('fails within its bound with an error recognised as the database being unavailable', async () => {
    const dataSource = context.dataSource as DataSource;
    await preparedRead(dataSource, ADD_ONE, [1, 'before']);
    context.proxy?.stall();
    const started = Date.now();
    const error = await preparedRead(dataSource, ADD_ONE, [2, 'stalled']).then(
      () => assert.fail('a read through a stalled connection answered'),
      (caught: unknown) => caught,
    );
    assert.ok(isDatabaseUnavailable(error), `not recognised as an outage: ${String(error)}`);
    assert.ok(Date.now() - started < 5_000, 'the read was not bounded');
  });
});
