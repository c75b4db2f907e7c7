/**
 * A pooled PostgreSQL connection that dies never ends the process (SRE review: a replica crashed
 * with "Unhandled 'error' event" on a pg Client when connections were terminated under load).
 * pg emits a dead connection's error on its client; the pool and TypeORM listen only while they
 * hold it, so every pooled client keeps a listener of its own (guardPooledClient), and the reads
 * recover once the server takes connections again.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource, isDatabaseUnavailable, preparedRead } from '../../src/db/index.js';
import { createPostgresDatabase, isPostgresAvailable } from '../support/databases.js';

interface PooledClient {
  emit(event: 'error', error: Error): boolean;
  release(error?: Error): void;
  processID: number;
}

describe('pooled PostgreSQL connections that die', () => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  const pool = () =>
    (dataSource.driver as unknown as { master: { connect(): Promise<PooledClient> } }).master;

  before(async function () {
    if (!(await isPostgresAvailable())) this.skip();
    const database = await createPostgresDatabase();
    drop = database.drop;
    dataSource = createDataSource({
      databaseUrl: database.url,
      dataDir: mkdtempSync(join(tmpdir(), 'dst-pool-errors-')),
      entities: [],
      poolSize: 4,
    });
    await dataSource.initialize();
  });
  after(async () => {
    await dataSource?.destroy().catch(() => {});
    await drop?.();
  });

  it('a client the pool has let go of may still report its connection’s error: nothing throws', async () => {
    const client = await pool().connect();
    client.release(new Error('dropped by the test')); // the pool removes it and removes its listener
    // Without a listener of its own, EventEmitter throws this (the uncaught exception of the crash).
    assert.doesNotThrow(() =>
      client.emit('error', new Error('terminating connection due to administrator command')),
    );
  });

  it('reads under repeated pg_terminate_backend fail as outages, and the pool recovers', async function () {
    this.timeout(30_000);
    const statement = {
      name: 'test_pool_errors_sleep',
      text: 'SELECT pg_sleep(0.002), CAST($1 AS INTEGER) AS n',
    };
    let stop = false;
    const failures: unknown[] = [];
    let answered = 0;
    const readers = Array.from({ length: 12 }, async () => {
      while (!stop) {
        try {
          await preparedRead(dataSource, statement, [1]);
          answered++;
        } catch (error) {
          failures.push(error);
        }
      }
    });
    const killer = await pool().connect();
    try {
      for (let round = 0; round < 10; round++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await dataSource.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> $1',
          [killer.processID],
        );
      }
    } finally {
      stop = true;
      await Promise.all(readers);
      killer.release();
    }
    assert.ok(answered > 0, 'no read answered');
    for (const failure of failures)
      assert.ok(isDatabaseUnavailable(failure), `not recognised as an outage: ${String(failure)}`);
    const [row] = await preparedRead<{ n: number }>(dataSource, statement, [7]);
    assert.equal(Number(row?.n), 7);
  });
});
