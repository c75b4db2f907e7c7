/**
 * Expiry (issue 11 item 8) and retention: consents end at their expiry without anyone asking,
 * each once however many replicas run the job; ended records go when the rulebook's record
 * retention (consent.recordRetentionDays, 1,095 days) is over.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { ConsentEventEntity, ConsentRecordEntity } from '../../src/consent/entities.js';
import { describeEachDatabase } from '../support/databases.js';
import { type ConsentWorld, consentWorld, give, newCitizen, parkingNotice } from './support.js';

const DAY = 86_400_000;

describeEachDatabase('consent expiry and retention', (fresh) => {
  let world: ConsentWorld;
  before(async function () {
    this.timeout(180_000);
    world = await consentWorld(await fresh());
  });
  after(async () => world?.close());

  const shortNotice = async (days: number) =>
    (
      await world.consent.notices.publishByConnector(world.city.did, {
        ...parkingNotice([world.transit.did]),
        retentionDays: days,
      })
    ).notice;
  const record = (id: string) =>
    world.service.dataSource.getRepository(ConsentRecordEntity).findOneByOrFail({ id });

  it('ends a due consent as expired at its expiry: history, receipt revoked, consent.expired, audit', async () => {
    const notice = await shortNotice(1);
    const { consent, receipt } = await give(world, notice, await newCitizen());
    const later = await give(world, await shortNotice(30), await newCitizen());
    assert.equal(
      await world.consent.expireDue(new Date(Date.parse(consent.expiresAt) - 1)),
      0,
      'nothing due yet',
    );
    const ended = await world.consent.expireDue(new Date(Date.parse(consent.expiresAt) + 1000));
    assert.ok(ended >= 1);
    const row = await record(consent.id);
    assert.equal(row.status, 'expired');
    assert.equal(row.statusAt, consent.expiresAt, 'it expired when it was due, not when the job came by');
    assert.equal((await record(later.consent.id)).status, 'given');
    const events = await world.service.dataSource
      .getRepository(ConsentEventEntity)
      .find({ where: { consentId: consent.id }, order: { seq: 'ASC' } });
    assert.deepEqual(
      events.map((e) => [e.event, e.actor]),
      [
        ['given', 'citizen'],
        ['expired', 'service'],
      ],
    );
    const [event] = await world.events.of('consent.expired', consent.id);
    assert.deepEqual(event?.audience, [world.city.did, world.transit.did].sort());
    assert.equal(event?.data.expiredAt, consent.expiresAt);
    const verified = await request(world.app)
      .post('/api/v1/credentials/verify')
      .send({ credential: receipt });
    assert.equal(verified.body.checks.find((c: { check: string }) => c.check === 'status').code, 'revoked');
    const page = await world.service.audit.page({ after: 0, limit: 1000 });
    assert.ok(page.items.some((item) => item.kind === 'consent.expired' && item.subject === consent.id));
  });

  it('ends each consent once when several runs (replicas) race', async function () {
    this.timeout(60_000);
    const notice = await shortNotice(2);
    const given = [];
    for (let i = 0; i < 12; i++) given.push((await give(world, notice, await newCitizen())).consent);
    const at = new Date(Date.parse(given[0]?.expiresAt ?? '') + 60_000);
    const counts = await Promise.all([
      world.consent.expireDue(at),
      world.consent.expireDue(at),
      world.consent.expireDue(at),
    ]);
    assert.equal(counts.reduce((a, b) => a + b, 0) >= given.length, true);
    for (const consent of given) {
      assert.equal((await world.events.of('consent.expired', consent.id)).length, 1, consent.id);
      assert.equal((await record(consent.id)).status, 'expired');
    }
  });

  it('keeps an ended record for the rulebook’s record retention, then deletes it with its history', async () => {
    const notice = await shortNotice(1);
    const citizen = await newCitizen();
    const { consent } = await give(world, notice, citizen);
    await world.consent.withdraw({ consentId: consent.id, citizen });
    const ended = Date.parse((await record(consent.id)).endedAt ?? '');
    await world.consent.purgeEnded(new Date(ended + 1095 * DAY - 1000));
    assert.equal((await record(consent.id)).status, 'withdrawn', 'kept within the retention');
    const deleted = await world.consent.purgeEnded(new Date(ended + 1095 * DAY + 1000));
    assert.ok((deleted ?? 0) >= 1);
    assert.equal(
      await world.service.dataSource.getRepository(ConsentRecordEntity).findOneBy({ id: consent.id }),
      null,
    );
    assert.equal(
      await world.service.dataSource.getRepository(ConsentEventEntity).countBy({ consentId: consent.id }),
      0,
    );
    const page = await world.service.audit.page({ after: 0, limit: 1000 });
    assert.ok(page.items.some((item) => item.kind === 'consent.records.purged'));
  });

  it('never purges a consent that is still given', async () => {
    const notice = await shortNotice(30);
    const { consent } = await give(world, notice, await newCitizen());
    await world.consent.purgeEnded(new Date(Date.now() + 5000 * DAY));
    assert.equal((await record(consent.id)).status, 'given');
  });
});
