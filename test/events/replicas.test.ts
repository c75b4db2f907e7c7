/**
 * Delivery with several workers and replicas (docs/events.md "Delivery"): each delivery is
 * claimed by exactly one worker under normal conditions, and a started worker delivers a new
 * event promptly: woken by NOTIFY on PostgreSQL (the poll set to a minute proves it), by its
 * one-second poll on SQLite.
 */
import { strict as assert } from 'node:assert';
import { decodeJwt } from 'jose';
import type { DataSource } from 'typeorm';
import { serviceSigner } from '../../src/credentials/sign.js';
import { createDataSource, inTransaction } from '../../src/db/index.js';
import { DeliveryWorker, type NewEvent, setSigner } from '../../src/events/index.js';
import { ENTITIES, type Service } from '../../src/service.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { type Receiver, startReceiver } from './support.js';

const MEMBER = 'did:web:connector.example';
const event = (i: number): NewEvent => ({
  type: 'consent.withdrawn',
  subject: `consent-${i}`,
  audience: [MEMBER],
  data: { consentId: `consent-${i}`, subject: `pairwise-${i}` },
});

describeEachDatabase('delivery across workers', (fresh, kind) => {
  let database: TestDatabase;
  let service: Service | undefined;
  let second: DataSource | undefined;
  let receiver: Receiver;

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    if (second?.isInitialized) await second.destroy();
    second = undefined;
    await service?.close();
    service = undefined;
  });

  // PostgreSQL: two pools, as two replicas. SQLite: one process has one connection (two in one
  // thread would block each other in SQLite's synchronous busy wait), so both share it.
  it('two workers (on PostgreSQL over two connection pools, as two replicas) push each of 40 events exactly once', async function () {
    this.timeout(60_000);
    database = await fresh();
    service = await openTestService(database);
    const s = service;
    if (kind === 'postgres') {
      second = createDataSource({ ...database, entities: ENTITIES });
      await second.initialize();
    }
    await s.events.subscriptions.create(MEMBER, { url: receiver.url, types: ['consent.withdrawn'] });
    for (let i = 0; i < 40; i++)
      await inTransaction(s.dataSource, undefined, (manager) => s.events.outbox.append(manager, event(i)));
    receiver.respond = () => ({ status: 202, delayMs: 10 });
    const sets = setSigner(serviceSigner(s.identity));
    const pushedBy = { a: 0, b: 0 };
    const worker = (dataSource: DataSource, name: 'a' | 'b') =>
      new DeliveryWorker({
        dataSource,
        sets,
        policy: { minMs: 5_000, maxMs: 600_000, retryForMs: 86_400_000 },
        push: { developmentMode: true, timeoutMs: 5_000 },
        pollIntervalMs: 1_000,
        retentionMs: 3_600_000,
        batchSize: 4,
        concurrency: 2,
        id: `worker-${name}`,
        onOutcome: (outcome) => {
          if (outcome === 'delivered') pushedBy[name]++;
        },
      });
    await Promise.all([worker(s.dataSource, 'a').drain(), worker(second ?? s.dataSource, 'b').drain()]);
    const jtis = receiver.received.map((request) => decodeJwt(request.body).jti);
    assert.equal(jtis.length, 40, 'one push per event');
    assert.equal(new Set(jtis).size, 40, 'no event pushed twice');
    assert.equal(pushedBy.a + pushedBy.b, 40);
    assert.ok(pushedBy.a > 0 && pushedBy.b > 0, `both workers took part (${pushedBy.a}/${pushedBy.b})`);
  });

  it(`a started worker pushes a new event within a second or so (${kind === 'postgres' ? 'NOTIFY' : 'poll'})`, async function () {
    this.timeout(30_000);
    database = await fresh();
    service = await openTestService(
      database,
      { EVENT_POLL_INTERVAL_MS: kind === 'postgres' ? '60000' : '1000' },
      { sweeper: true },
    );
    const s = service;
    await s.events.subscriptions.create(MEMBER, { url: receiver.url, types: ['consent.withdrawn'] });
    // Let the first (empty) round pass, and on PostgreSQL the LISTEN take effect.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (let round = 0; round < 3; round++) {
      const started = Date.now();
      await inTransaction(s.dataSource, undefined, (manager) =>
        s.events.outbox.append(manager, event(round)),
      );
      await receiver.waitFor(round + 1, 5_000);
      const took = (receiver.received[round]?.at ?? 0) - started;
      assert.ok(took < 1_600, `pushed after ${took} ms`);
    }
  });
});
