/**
 * The outbox (docs/events.md "The outbox"): an event exists iff its cause committed, sequences
 * have no gaps and follow commit order, and fan-out picks exactly the subscriptions that name
 * the type and whose member is in the audience, at the moment of the event.
 */
import { strict as assert } from 'node:assert';
import { inTransaction } from '../../src/db/index.js';
import { DeliveryEntity, EventEntity } from '../../src/events/entities.js';
import { type Events, InvalidEventError, type NewEvent } from '../../src/events/index.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { Clock, eventsFor } from './support.js';

const A = 'did:web:a.example';
const B = 'did:web:b.example';
const C = 'did:web:c.example';

const withdrawal = (audience: NewEvent['audience'], consentId = 'c-1'): NewEvent => ({
  type: 'consent.withdrawn',
  subject: consentId,
  audience,
  data: { consentId, subject: 'pairwise-123', withdrawnAt: '2030-01-01T00:00:00Z' },
});

describeEachDatabase('event outbox', (fresh) => {
  let service: Service;
  let events: Events;
  const append = (event: NewEvent) =>
    inTransaction(service.dataSource, undefined, (manager) => events.outbox.append(manager, event));
  const count = async (entity: typeof EventEntity | typeof DeliveryEntity) =>
    service.dataSource.getRepository(entity).count();

  before(async function () {
    this.timeout(60_000);
    service = await openTestService(await fresh());
    events = eventsFor(service, new Clock());
  });
  after(async () => {
    await service?.close();
  });

  it('writes the event in the transaction of its cause: a rollback leaves nothing, and its sequence is handed out again', async () => {
    const first = await append(withdrawal([A]));
    const before = await count(EventEntity);
    await assert.rejects(
      inTransaction(service.dataSource, undefined, async (manager) => {
        await events.outbox.append(manager, withdrawal([A]));
        throw new Error('the cause failed');
      }),
      /the cause failed/,
    );
    assert.equal(await count(EventEntity), before);
    const next = await append(withdrawal([A]));
    assert.equal(next.sequence, first.sequence + 1, 'no gap after the rolled-back append');
    assert.match(next.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses an append outside a transaction: its existence must follow the cause', async () => {
    await assert.rejects(
      events.outbox.append(service.dataSource.manager, withdrawal([A])),
      InvalidEventError,
    );
  });

  it('refuses an unknown type, a bad subject or audience, and data that is not plain JSON or too large', async () => {
    const bad: NewEvent[] = [
      { ...withdrawal([A]), type: 'consent.deleted' as NewEvent['type'] },
      { ...withdrawal([A]), subject: '' },
      { ...withdrawal([A]), subject: 'x'.repeat(501) },
      withdrawal([]),
      withdrawal(['not-a-did']),
      withdrawal(Array.from({ length: 101 }, (_, i) => `did:web:m${i}.example`)),
      { ...withdrawal([A]), data: { at: new Date() } },
      { ...withdrawal([A]), data: { n: Number.NaN } },
      { ...withdrawal([A]), data: { text: 'x'.repeat(9000) } },
    ];
    const before = await count(EventEntity);
    for (const event of bad)
      await assert.rejects(append(event), InvalidEventError, JSON.stringify(event).slice(0, 80));
    assert.equal(await count(EventEntity), before, 'nothing written');
  });

  it('hands out each sequence once, in commit order, under concurrent appends', async () => {
    const appended = await Promise.all(
      Array.from({ length: 20 }, (_, i) => append(withdrawal([A], `c-${i}`))),
    );
    const sequences = appended.map((event) => event.sequence).sort((x, y) => x - y);
    const first = sequences[0] as number;
    assert.deepEqual(
      sequences,
      Array.from({ length: 20 }, (_, i) => first + i),
    );
    assert.equal(new Set(appended.map((event) => event.id)).size, 20);
  });

  it('fans out to the active subscriptions that name the type and whose member is in the audience', async () => {
    const { subscriptions } = events;
    const a = await subscriptions.create(A, { url: 'http://127.0.0.1:9/a', types: ['consent.withdrawn'] });
    const aLifecycle = await subscriptions.create(A, {
      url: 'http://127.0.0.1:9/a2',
      types: ['member.suspended'],
    });
    const b = await subscriptions.create(B, {
      url: 'http://127.0.0.1:9/b',
      types: ['consent.withdrawn', 'member.suspended'],
    });
    const c = await subscriptions.create(C, { url: 'http://127.0.0.1:9/c', types: ['member.suspended'] });
    const deliveriesOf = async (sequence: number) =>
      (await service.dataSource.getRepository(DeliveryEntity).findBy({ eventSequence: sequence }))
        .map((row) => row.subscriptionId)
        .sort();

    const consent = await append(withdrawal([A, C]));
    assert.equal(consent.deliveries, 1);
    assert.deepEqual(
      await deliveriesOf(consent.sequence),
      [a.id],
      'B is not in the audience; C did not ask for the type',
    );

    const suspended = await append({
      type: 'member.suspended',
      subject: 'did:web:x.example',
      audience: 'members',
      data: { member: 'did:web:x.example', motion: 'm-1' },
    });
    assert.deepEqual(await deliveriesOf(suspended.sequence), [aLifecycle.id, b.id, c.id].sort());

    await inTransaction(service.dataSource, undefined, (manager) => subscriptions.endAllOf(C, manager));
    const later = await append({
      type: 'member.suspended',
      subject: 'did:web:y.example',
      audience: 'members',
      data: { member: 'did:web:y.example', motion: 'm-2' },
    });
    assert.deepEqual(
      await deliveriesOf(later.sequence),
      [aLifecycle.id, b.id].sort(),
      'an ended subscription gets nothing new',
    );
    assert.equal((await subscriptions.list(C))[0]?.status, 'ended');

    const newcomer = await subscriptions.create(B, {
      url: 'http://127.0.0.1:9/b-late',
      types: ['member.suspended'],
    });
    const pushed = await service.dataSource
      .getRepository(DeliveryEntity)
      .countBy({ subscriptionId: newcomer.id });
    assert.equal(pushed, 0, 'a subscription created later gets no old event pushed');
  });
});
