import { strict as assert } from 'node:assert';
import { inTransaction } from '../../src/db/index.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { startReceiver } from './support.js';

describeEachDatabase('event delivery metrics', (fresh) => {
  let service: Service | undefined;
  afterEach(async () => {
    await service?.close();
  });

  it('counts deliveries by outcome and reads the outbox backlog at each scrape', async function () {
    this.timeout(60_000);
    service = await openTestService(await fresh());
    const s = service;
    const receiver = await startReceiver('/events', (_n, req) => ({
      status: req.url === '/events' ? 202 : 500,
    }));
    try {
      const member = 'did:web:metrics.example';
      await s.events.subscriptions.create(member, { url: receiver.url, types: ['member.revoked'] });
      await s.events.subscriptions.create(member, {
        url: `${receiver.url}/broken`,
        types: ['member.revoked'],
      });
      await inTransaction(s.dataSource, undefined, (manager) =>
        s.events.outbox.append(manager, {
          type: 'member.revoked',
          subject: 'did:web:gone.example',
          audience: 'members',
          data: { member: 'did:web:gone.example', motion: 'm' },
        }),
      );
      const scrape = async () => s.metrics.registry.metrics();
      const before = await scrape();
      assert.match(before, /dataspace_trust_event_outbox_backlog\{state="pending"\} 2/);
      assert.match(before, /dataspace_trust_event_outbox_backlog\{state="due"\} 2/);
      await s.events.worker.drain();
      const after = await scrape();
      assert.match(after, /dataspace_trust_event_deliveries_total\{outcome="delivered"\} 1/);
      assert.match(after, /dataspace_trust_event_deliveries_total\{outcome="retry"\} 1/);
      assert.match(after, /dataspace_trust_event_outbox_backlog\{state="pending"\} 1/);
      assert.match(after, /dataspace_trust_event_outbox_backlog\{state="due"\} 0/);
    } finally {
      await receiver.close();
    }
  });
});
