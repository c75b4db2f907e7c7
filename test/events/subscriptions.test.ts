/**
 * Subscriptions (docs/events.md "Subscriptions"): the webhook URL rules (the did:web address
 * policy), known types only, a cap per member, a member sees and changes only its own; the
 * delivery log; the sweep of delivered rows after their retention, never of undelivered ones.
 */
import { strict as assert } from 'node:assert';
import { inTransaction, sweepExpired } from '../../src/db/index.js';
import { DeliveryAttemptEntity, DeliveryEntity, EventEntity } from '../../src/events/entities.js';
import { checkWebhookUrl, EventError, type Events } from '../../src/events/index.js';
import { type Service, SWEEP_TARGETS } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { Clock, eventsFor, startReceiver } from './support.js';

const A = 'did:web:a.example';
const B = 'did:web:b.example';

const refusal = (code: string) => (error: unknown) => {
  assert.ok(error instanceof EventError, String(error));
  assert.equal(error.code, code);
  return true;
};

describe('webhook URL rules (the did:web address policy)', () => {
  const production: [string, string][] = [
    ['http://hooks.example.com/x', 'insecure_transport'],
    ['https://user:pw@hooks.example.com/x', 'userinfo_not_allowed'],
    ['https://token@hooks.example.com/x', 'userinfo_not_allowed'],
    ['https://93.184.216.34/x', 'ip_literal_not_allowed'],
    ['https://10.0.0.5/x', 'ip_literal_not_allowed'],
    ['https://127.0.0.1/x', 'ip_literal_not_allowed'],
    ['https://[::1]/x', 'ip_literal_not_allowed'],
    ['https://[fe80::1]/x', 'ip_literal_not_allowed'],
    ['https://169.254.169.254/latest/meta-data', 'ip_literal_not_allowed'],
    ['https://localhost/x', 'private_address'],
    ['https://api.localhost/x', 'private_address'],
    ['https://localhost./e', 'private_address'],
    ['https://api.localhost./e', 'private_address'],
    ['https://LOCALHOST./e', 'private_address'],
    ['https://127.0.0.1./x', 'ip_literal_not_allowed'],
    ['https://0x7f.1./x', 'ip_literal_not_allowed'],
    ['https://localhost../e', 'invalid_url'],
    ['https://hooks..example.com/x', 'invalid_url'],
    ['https://hooks.example.com/x#frag', 'invalid_url'],
    ['ftp://hooks.example.com/x', 'invalid_url'],
    ['hooks.example.com/x', 'invalid_url'],
    [`https://hooks.example.com/${'a'.repeat(2048)}`, 'invalid_url'],
  ];
  for (const [url, code] of production)
    it(`refuses ${url.slice(0, 60)} outside development: ${code}`, () => {
      assert.throws(() => checkWebhookUrl(url, false), refusal(code));
    });
  it('accepts an https URL with a host name, port, path and query', () => {
    assert.equal(
      checkWebhookUrl('https://Hooks.Example.com:8443/events?tenant=7', false).href,
      'https://hooks.example.com:8443/events?tenant=7',
    );
  });
  it('reads a host with one trailing dot as the host without it, and accepts a public one', () => {
    assert.equal(checkWebhookUrl('https://hooks.example.com./x', false).href, 'https://hooks.example.com./x');
  });
  it('in development mode accepts http to loopback, and still refuses userinfo and fragments', () => {
    assert.equal(checkWebhookUrl('http://127.0.0.1:4000/e', true).href, 'http://127.0.0.1:4000/e');
    assert.equal(checkWebhookUrl('http://localhost:4000/e', true).href, 'http://localhost:4000/e');
    assert.throws(() => checkWebhookUrl('http://u:p@127.0.0.1/e', true), refusal('userinfo_not_allowed'));
    assert.throws(() => checkWebhookUrl('http://127.0.0.1/e#x', true), refusal('invalid_url'));
    assert.throws(() => checkWebhookUrl(42, true), refusal('invalid_url'));
  });
});

describeEachDatabase('subscriptions', (fresh) => {
  let service: Service;
  let events: Events;
  const clock = new Clock();

  before(async function () {
    this.timeout(60_000);
    service = await openTestService(await fresh(), { EVENT_SUBSCRIPTIONS_PER_MEMBER: '3' });
    events = eventsFor(service, clock);
  });
  after(async () => {
    await service?.close();
  });

  it('registers, lists and deletes a member’s own subscriptions', async () => {
    const created = await events.subscriptions.create(A, {
      url: 'http://127.0.0.1:9/one',
      types: ['consent.withdrawn', 'consent.withdrawn', 'member.suspended'],
    });
    assert.deepEqual(created.types, ['consent.withdrawn', 'member.suspended']);
    assert.equal(created.status, 'active');
    assert.deepEqual(
      (await events.subscriptions.list(A)).map((s) => s.id),
      [created.id],
    );
    assert.deepEqual(await events.subscriptions.list(B), []);
    await events.subscriptions.remove(A, created.id);
    assert.deepEqual(await events.subscriptions.list(A), []);
  });

  it('refuses bad input with its code and writes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ url: 'http://127.0.0.1:9/x', types: [] }, 'invalid_types'],
      [{ url: 'http://127.0.0.1:9/x', types: 'consent.withdrawn' }, 'invalid_types'],
      [{ url: 'http://127.0.0.1:9/x', types: [7] }, 'invalid_types'],
      [{ url: 'http://127.0.0.1:9/x', types: ['consent.deleted'] }, 'unknown_event_type'],
      [{ url: 'http://127.0.0.1:9/x', types: ['consent.*'] }, 'unknown_event_type'],
      [{ types: ['consent.given'] }, 'invalid_url'],
      [{ url: 'mailto:a@b.example', types: ['consent.given'] }, 'invalid_url'],
    ];
    for (const [input, code] of cases)
      await assert.rejects(events.subscriptions.create(A, input), refusal(code));
    assert.deepEqual(await events.subscriptions.list(A), []);
  });

  it('refuses the same URL twice (subscription_exists) and more than the cap (too_many_subscriptions), also when racing', async () => {
    const types = ['member.revoked'];
    await events.subscriptions.create(A, { url: 'http://127.0.0.1:9/a', types });
    await assert.rejects(
      events.subscriptions.create(A, { url: 'http://127.0.0.1:9/a', types }),
      refusal('subscription_exists'),
    );
    const racing = await Promise.allSettled(
      [1, 2, 3, 4].map((i) => events.subscriptions.create(A, { url: `http://127.0.0.1:9/r${i}`, types })),
    );
    assert.equal(racing.filter((result) => result.status === 'fulfilled').length, 2, 'the cap is 3');
    for (const result of racing.filter((r) => r.status === 'rejected'))
      refusal('too_many_subscriptions')((result as PromiseRejectedResult).reason);
    assert.equal((await events.subscriptions.list(A)).length, 3);
    for (const subscription of await events.subscriptions.list(A))
      await events.subscriptions.remove(A, subscription.id);
  });

  it('answers another member’s subscription as not_found, for reading, its log and deleting', async () => {
    const mine = await events.subscriptions.create(B, {
      url: 'http://127.0.0.1:9/b',
      types: ['member.revoked'],
    });
    await assert.rejects(events.subscriptions.get(A, mine.id), refusal('not_found'));
    await assert.rejects(events.subscriptions.deliveries(A, mine.id, { limit: 10 }), refusal('not_found'));
    await assert.rejects(events.subscriptions.remove(A, mine.id), refusal('not_found'));
    await assert.rejects(events.subscriptions.get(A, 'no-such-id'), refusal('not_found'));
    await assert.rejects(
      events.subscriptions.deliveries(B, mine.id, { limit: 10, state: 'lost' }),
      refusal('invalid_state'),
    );
    assert.equal((await events.subscriptions.get(B, mine.id)).id, mine.id);
    await events.subscriptions.remove(B, mine.id);
  });

  it('the sweep deletes delivered deliveries (and their attempts) after the retention, never pending or failed ones', async () => {
    const receiver = await startReceiver();
    try {
      const local = eventsFor(service, clock, { retentionHours: 2, retryHours: 1 });
      const ok = await local.subscriptions.create(A, { url: receiver.url, types: ['member.reinstated'] });
      const failing = await local.subscriptions.create(A, {
        url: `${receiver.url}/fail`,
        types: ['member.reinstated'],
      });
      const waiting = await local.subscriptions.create(B, {
        url: `${receiver.url}/later`,
        types: ['member.reinstated'],
      });
      receiver.respond = (_n, req) => ({ status: req.url === '/events' ? 202 : 500 });
      const event = await inTransaction(service.dataSource, undefined, (manager) =>
        local.outbox.append(manager, {
          type: 'member.reinstated',
          subject: 'did:web:z.example',
          audience: 'members',
          data: { member: 'did:web:z.example', motion: 'm-9' },
        }),
      );
      await service.dataSource
        .getRepository(DeliveryEntity)
        .update(
          { subscriptionId: waiting.id },
          { nextAttemptAt: new Date(clock.now().getTime() + 86_400_000).toISOString() },
        );
      for (let i = 0; i < 40; i++) {
        await local.worker.runOnce();
        clock.advance(300_000);
      }
      const state = async (id: string) =>
        (
          await service.dataSource
            .getRepository(DeliveryEntity)
            .findOneBy({ subscriptionId: id, eventSequence: event.sequence })
        )?.state;
      assert.equal(await state(ok.id), 'delivered');
      assert.equal(await state(failing.id), 'failed');
      assert.equal(await state(waiting.id), 'pending');
      const attempts = () => service.dataSource.getRepository(DeliveryAttemptEntity).count();
      const before = await attempts();
      await sweepExpired(
        service.dataSource,
        SWEEP_TARGETS,
        new Date(clock.now().getTime() + 86_400_000 * 30),
      );
      assert.equal(await state(ok.id), undefined, 'delivered and past its retention: swept');
      assert.equal(await state(failing.id), 'failed', 'failed: kept in the log');
      assert.equal(await state(waiting.id), 'pending', 'undelivered: kept');
      assert.equal(await attempts(), before - 1, 'the delivered one’s attempt went with it');
      assert.ok(
        await service.dataSource.getRepository(EventEntity).findOneBy({ id: event.id }),
        'the event stays in the feed',
      );
      await local.close();
    } finally {
      await receiver.close();
    }
  });
});
