/**
 * Webhook delivery (docs/events.md "Delivery"): RFC 8935 push of RFC 8417 SETs signed by the
 * service DID, at least once, with exponential backoff and jitter on a frozen clock, a retry
 * window after which the delivery is `failed` (and kept), no redirects, a deadline, and leases
 * that let another worker take over after a crash.
 */
import { strict as assert } from 'node:assert';
import type { LookupFunction } from 'node:net';
import { inTransaction } from '../../src/db/index.js';
import { DeliveryAttemptEntity, DeliveryEntity, SubscriptionEntity } from '../../src/events/entities.js';
import { type Events, type NewEvent, SET_MEDIA_TYPE } from '../../src/events/index.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { Clock, eventsFor, type Receiver, startReceiver, verifySet } from './support.js';

const MEMBER = 'did:web:connector.example';

const withdrawal = (consentId: string): NewEvent => ({
  type: 'consent.withdrawn',
  subject: consentId,
  audience: [MEMBER],
  data: { consentId, subject: 'pairwise-7f3a', withdrawnAt: '2030-01-01T00:00:00Z' },
});

describeEachDatabase('webhook delivery', (fresh) => {
  let service: Service;
  let receiver: Receiver;
  let clock: Clock;
  let events: Events;

  before(async function () {
    this.timeout(60_000);
    service = await openTestService(await fresh());
  });
  beforeEach(async () => {
    receiver = await startReceiver();
    clock = new Clock();
    events = eventsFor(service, clock, { backoffMinSeconds: 5, backoffMaxSeconds: 600, retryHours: 24 });
    // Every test starts without deliveries of an earlier one.
    await service.dataSource.getRepository(DeliveryAttemptEntity).clear();
    await service.dataSource.getRepository(DeliveryEntity).clear();
    await service.dataSource.getRepository(SubscriptionEntity).clear();
  });
  afterEach(async () => {
    await events?.close();
    await receiver?.close();
  });
  after(async () => {
    await service?.close();
  });

  const subscribe = (url = receiver.url, member = MEMBER) =>
    events.subscriptions.create(member, { url, types: ['consent.withdrawn'] });
  const append = (event: NewEvent, outbox = events.outbox) =>
    inTransaction(service.dataSource, undefined, (manager) => outbox.append(manager, event));
  const deliveryOf = async (subscriptionId: string, sequence: number) => {
    const page = await events.subscriptions.deliveries(MEMBER, subscriptionId, { limit: 100 });
    const found = page.items.find((item) => item.sequence === sequence);
    assert.ok(found, `a delivery of event ${sequence}`);
    return found;
  };
  /** Moves the clock to the earliest pending attempt; false when nothing is pending. */
  const toNextDue = async () => {
    const next = await service.dataSource
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .select('MIN(d.next_attempt_at)', 'at')
      .where("d.state = 'pending'")
      .getRawOne<{ at: string | null }>();
    if (!next?.at) return false;
    if (new Date(next.at) > clock.now()) clock.set(new Date(next.at));
    return true;
  };

  it('pushes the event as a SET signed by the service DID (RFC 8417, RFC 8935 §2), answered 202', async () => {
    const subscription = await subscribe();
    const event = await append(withdrawal('consent-1'));
    assert.equal(await events.worker.runOnce(), 1);
    assert.equal(receiver.received.length, 1);
    const pushed = receiver.received[0];
    assert.equal(pushed?.method, 'POST');
    assert.equal(pushed?.path, '/events');
    assert.equal(pushed?.headers['content-type'], SET_MEDIA_TYPE);
    const claims = await verifySet(service, pushed?.body ?? '', MEMBER, clock.now());
    assert.equal(claims.jti, event.id);
    assert.equal(claims.iss, service.identity.did);
    assert.equal(claims.seq, event.sequence);
    assert.equal(claims.toe, Math.floor(new Date(event.occurredAt).getTime() / 1000));
    assert.deepEqual(claims.sub_id, { format: 'opaque', id: 'consent-1' });
    assert.deepEqual(claims.events, {
      'urn:dataspace-trust:event:consent.withdrawn': {
        consentId: 'consent-1',
        subject: 'pairwise-7f3a',
        withdrawnAt: '2030-01-01T00:00:00Z',
      },
    });
    const delivery = await deliveryOf(subscription.id, event.sequence);
    assert.equal(delivery.state, 'delivered');
    assert.equal(delivery.eventId, event.id);
    assert.deepEqual(
      delivery.attempts.map((attempt) => [
        attempt.number,
        attempt.httpStatus,
        attempt.error,
        attempt.nextAttemptAt,
      ]),
      [[1, 202, null, null]],
    );
    assert.equal(await events.worker.runOnce(), 0, 'a delivered event is not pushed again');
  });

  it('retries a receiver that answers 500 with backoff (5 s, 10 s, …, half of each step random), then delivers; the log shows each attempt', async () => {
    receiver.respond = (n) => (n <= 3 ? { status: 500 } : { status: 200 });
    const subscription = await subscribe();
    const event = await append(withdrawal('consent-2'));
    const start = clock.now().getTime();
    await events.worker.runOnce();
    clock.advance(3_749);
    assert.equal(await events.worker.runOnce(), 0, 'not before its time');
    for (let i = 0; i < 3; i++) {
      assert.ok(await toNextDue());
      assert.equal(await events.worker.runOnce(), 1);
    }
    const delivery = await deliveryOf(subscription.id, event.sequence);
    assert.equal(delivery.state, 'delivered');
    assert.deepEqual(
      delivery.attempts.map((attempt) => [attempt.httpStatus, attempt.error]),
      [
        [500, 'http_status: answered 500'],
        [500, 'http_status: answered 500'],
        [500, 'http_status: answered 500'],
        [200, null],
      ],
    );
    // random() = 0.5: each wait is 3/4 of its step, the steps 5 s, 10 s, 20 s.
    const times = delivery.attempts.map((attempt) => new Date(attempt.at).getTime() - start);
    assert.deepEqual(times, [0, 3_750, 3_750 + 7_500, 3_750 + 7_500 + 15_000]);
    assert.equal(new Set(receiver.received.map((r) => r.body)).size, 4, 'each attempt is signed anew');
  });

  it('loses nothing while an endpoint is down for an hour: every event arrives once it is back', async () => {
    const subscription = await subscribe();
    await receiver.down();
    const appended = [];
    for (let i = 0; i < 5; i++) appended.push(await append(withdrawal(`consent-down-${i}`)));
    const start = clock.now().getTime();
    while (clock.now().getTime() - start < 3_600_000) {
      assert.ok(await toNextDue());
      await events.worker.runOnce();
    }
    await receiver.up();
    while (await toNextDue()) await events.worker.runOnce();
    const received = receiver.received.map((r) =>
      String(
        (JSON.parse(Buffer.from(r.body.split('.')[1] ?? '', 'base64url').toString()) as { jti: string }).jti,
      ),
    );
    assert.deepEqual(received.sort(), appended.map((event) => event.id).sort());
    for (const event of appended) {
      const delivery = await deliveryOf(subscription.id, event.sequence);
      assert.equal(delivery.state, 'delivered');
      assert.ok(delivery.attempts.length > 5, 'retried through the hour');
      assert.ok(
        delivery.attempts.slice(0, -1).every((attempt) => attempt.error?.startsWith('connection_failed')),
      );
      assert.equal(delivery.attempts.at(-1)?.httpStatus, 202);
    }
  });

  it('gives up after the retry window: the delivery is failed, kept in the log, and the event stays in the feed', async () => {
    await events.close();
    events = eventsFor(service, clock, { retryHours: 1, backoffMinSeconds: 5, backoffMaxSeconds: 600 });
    receiver.respond = () => ({ status: 503 });
    const subscription = await subscribe();
    const event = await append(withdrawal('consent-3'));
    const start = clock.now().getTime();
    while (await toNextDue()) await events.worker.runOnce();
    const delivery = await deliveryOf(subscription.id, event.sequence);
    assert.equal(delivery.state, 'failed');
    assert.equal(delivery.nextAttemptAt, null);
    const offsets = delivery.attempts.map((attempt) => new Date(attempt.at).getTime() - start);
    const waits = offsets.slice(1).map((at, i) => at - (offsets[i] as number));
    // 3/4 of 5 s, 10 s, 20 s … capped at 3/4 of 10 min.
    assert.deepEqual(
      waits.slice(0, 9),
      [3_750, 7_500, 15_000, 30_000, 60_000, 120_000, 240_000, 450_000, 450_000],
    );
    assert.ok((offsets.at(-1) as number) >= 3_600_000, 'tried for at least the whole window');
    assert.ok((offsets.at(-2) as number) < 3_600_000, 'and no longer');
    assert.equal(delivery.attempts.at(-1)?.nextAttemptAt, null);
    const feed = await events.feed.page(MEMBER, event.sequence - 1, 10);
    assert.equal(feed.items[0]?.id, event.id);
  });

  it('follows no redirect: 3xx is a failed attempt (redirect_refused), and the target is never asked', async () => {
    const elsewhere = await startReceiver('/elsewhere');
    try {
      receiver.respond = () => ({ status: 307, headers: { location: elsewhere.url } });
      const subscription = await subscribe();
      const event = await append(withdrawal('consent-4'));
      await events.worker.runOnce();
      const delivery = await deliveryOf(subscription.id, event.sequence);
      assert.equal(delivery.state, 'pending');
      assert.equal(delivery.attempts[0]?.httpStatus, 307);
      assert.match(delivery.attempts[0]?.error ?? '', /^redirect_refused/);
      assert.equal(elsewhere.received.length, 0);
    } finally {
      await elsewhere.close();
    }
  });

  it('bounds an attempt by its deadline (timeout) and reads only a small part of a refusal (its RFC 8935 err)', async () => {
    await events.close();
    events = eventsFor(service, clock, { deliveryTimeoutMs: 500 });
    receiver.respond = (n) =>
      n === 1
        ? { status: 202, delayMs: 2_000 }
        : n === 2
          ? { status: 400, body: JSON.stringify({ err: 'invalid_audience', description: 'not us' }) }
          : { status: 500, body: 'x'.repeat(5 * 1024 * 1024) };
    const subscription = await subscribe();
    const event = await append(withdrawal('consent-5'));
    for (let i = 0; i < 3; i++) {
      await toNextDue();
      await events.worker.runOnce();
    }
    const attempts = (await deliveryOf(subscription.id, event.sequence)).attempts;
    assert.match(attempts[0]?.error ?? '', /^timeout/);
    assert.equal(attempts[0]?.httpStatus, null);
    assert.equal(attempts[1]?.error, 'http_status: answered 400 invalid_audience');
    assert.equal(attempts[2]?.error, 'http_status: answered 500');
  });

  it('outside development mode connects only to public addresses: a name resolving to loopback is refused (private_address)', async () => {
    await events.close();
    const lookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
      options.all
        ? callback(null, [{ address: '127.0.0.1', family: 4 }])
        : callback(null, '127.0.0.1', 4)) as unknown as LookupFunction;
    events = eventsFor(service, clock, {}, { developmentMode: false, lookup });
    const subscription = await events.subscriptions.create(MEMBER, {
      url: `https://hooks.example.com:${receiver.port}/events`,
      types: ['consent.withdrawn'],
    });
    const event = await append(withdrawal('consent-6'));
    await events.worker.runOnce();
    const attempt = (await deliveryOf(subscription.id, event.sequence)).attempts[0];
    assert.match(attempt?.error ?? '', /^private_address/);
    assert.equal(receiver.received.length, 0);
  });

  it('a worker that died mid-delivery holds it only until its lease runs out; then another delivers it', async () => {
    const subscription = await subscribe();
    const event = await append(withdrawal('consent-7'));
    const until = new Date(clock.now().getTime() + 60_000).toISOString();
    await service.dataSource
      .getRepository(DeliveryEntity)
      .update({ subscriptionId: subscription.id }, { leaseOwner: 'dead-worker', leaseUntil: until });
    assert.equal(await events.worker.runOnce(), 0, 'held by the lease');
    clock.advance(60_000);
    assert.equal(await events.worker.runOnce(), 1);
    assert.equal((await deliveryOf(subscription.id, event.sequence)).state, 'delivered');
    assert.equal(receiver.received.length, 1);
  });
});
