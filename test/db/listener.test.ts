/**
 * The process's listening connection (src/db/listener.ts): every channel a process needs
 * (status changes, member changes, new events) is LISTENed to on one PostgreSQL connection,
 * as README.md ("Connections") and docs/events.md count them.
 */
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { openDatabaseListener } from '../../src/db/listener.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

/** The listening connections open on the test's database. */
async function listeningConnections(dataSource: DataSource): Promise<number> {
  const [row] = (await dataSource.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'dataspace-trust-listen'`,
  )) as { n: number }[];
  return row?.n ?? 0;
}

async function until(test: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) assert.fail('timed out');
    await sleep(20);
  }
}

describeEachDatabase('one LISTEN connection per process (PostgreSQL LISTEN/NOTIFY)', (fresh, kind) => {
  const itOnPostgres = kind === 'postgres' ? it : it.skip;
  let database: TestDatabase;
  let service: Service | undefined;

  beforeEach(async function () {
    if (kind !== 'postgres') return;
    this.timeout(30_000);
    database = await fresh();
  });
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  itOnPostgres(
    'a serving process listens on status changes, member changes and new events over one connection',
    async function () {
      this.timeout(30_000);
      service = await openTestService(database);
      service.events.startWorker();
      await service.credentials.statusWatch?.listener.ready;
      // Let every capability's LISTEN take effect (each would otherwise open its own connection).
      await sleep(1_500);
      assert.equal(await listeningConnections(service.dataSource), 1);
    },
  );

  itOnPostgres(
    'channels share the connection: each gets its own notifications, loses and regains the connection together, and leaves alone',
    async function () {
      this.timeout(30_000);
      service = await openTestService(database);
      const url = database.databaseUrl as string;
      const connection = openDatabaseListener({ databaseUrl: url, minBackoffMs: 10, maxBackoffMs: 50 });
      try {
        const heard: string[] = [];
        const states: string[] = [];
        const a = connection.subscribe({
          channel: 'test_channel_a',
          onNotification: (payload) => heard.push(`a:${payload}`),
          onState: (listening) => states.push(`a:${listening}`),
        });
        await a.ready;
        // Subscribed once the connection is live: LISTEN on the same connection.
        const b = connection.subscribe({
          channel: 'test_channel_b',
          onNotification: (payload) => heard.push(`b:${payload}`),
          onState: (listening) => states.push(`b:${listening}`),
        });
        await b.ready;
        assert.equal(a.backendPid, b.backendPid);
        assert.equal((await listeningConnections(service.dataSource)) >= 1, true);

        await service.dataSource.query(
          `SELECT pg_notify('test_channel_a', 'one'), pg_notify('test_channel_b', 'two')`,
        );
        await until(() => heard.length === 2);
        assert.deepEqual(heard.sort(), ['a:one', 'b:two']);

        const pid = a.backendPid;
        const epoch = a.epoch;
        await service.dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
        await until(() => a.listening && b.listening && a.epoch > epoch);
        assert.equal(b.epoch, a.epoch);
        assert.notEqual(a.backendPid, pid);
        assert.deepEqual(states, ['a:true', 'b:true', 'a:false', 'b:false', 'a:true', 'b:true']);

        await a.close();
        assert.equal(a.listening, false);
        heard.length = 0;
        await service.dataSource.query(
          `SELECT pg_notify('test_channel_a', 'three'), pg_notify('test_channel_b', 'four')`,
        );
        await until(() => heard.length === 1);
        await sleep(100);
        assert.deepEqual(heard, ['b:four'], 'a closed subscription hears nothing; the other keeps listening');
        assert.equal(b.listening, true);
      } finally {
        await connection.close();
      }
    },
  );
});
