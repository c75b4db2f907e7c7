/**
 * Withdrawal (issue 11 item 5, the domain part; GDPR Art. 7(3)): effective at once, a record
 * appended and never an edit, the receipt's revocation bit set in the same transaction,
 * `consent.withdrawn` to the controller and recipients; only by the citizen who gave it, and once.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { ConsentEventEntity, ConsentRecordEntity } from '../../src/consent/entities.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  type ConsentWorld,
  consentWorld,
  give,
  newCitizen,
  parkingNotice,
  publishParking,
  refusedWith,
} from './support.js';

describeEachDatabase('withdrawing consent', (fresh) => {
  let world: ConsentWorld;
  before(async function () {
    this.timeout(180_000);
    world = await consentWorld(await fresh());
  });
  after(async () => world?.close());

  const statusCode = async (receipt: string): Promise<string | undefined> => {
    const answer = await request(world.app)
      .post('/api/v1/credentials/verify')
      .send({ credential: receipt })
      .expect(200);
    return answer.body.checks.find((check: { check: string }) => check.check === 'status')?.code;
  };

  it('appends a withdrawal to the history, sets the receipt’s revocation bit and emits consent.withdrawn, at once', async () => {
    const notice = await publishParking(world);
    const citizen = await newCitizen();
    const { consent, receipt } = await give(world, notice, citizen);
    assert.equal(await statusCode(receipt), undefined);
    const withdrawn = await world.consent.withdraw({ consentId: consent.id, citizen });
    assert.equal(withdrawn.status, 'withdrawn');
    assert.equal(withdrawn.endedAt, withdrawn.statusAt);
    assert.deepEqual(
      withdrawn.history.map((event) => [event.seq, event.event, event.actor]),
      [
        [1, 'given', 'citizen'],
        [2, 'withdrawn', 'citizen'],
      ],
    );
    assert.equal(withdrawn.history[1]?.hash.length, 64);
    assert.equal(await statusCode(receipt), 'revoked');
    const [event] = await world.events.of('consent.withdrawn', consent.id);
    assert.deepEqual(event?.audience, [world.city.did, world.transit.did].sort());
    assert.deepEqual(event?.data, {
      consentId: consent.id,
      subject: consent.subject,
      noticeId: notice.id,
      noticeVersion: 1,
      withdrawnAt: withdrawn.statusAt,
    });
    const page = await world.service.audit.page({ after: 0, limit: 1000 });
    const entry = page.items.find((item) => item.kind === 'consent.withdrawn' && item.subject === consent.id);
    assert.ok(entry);
    assert.equal((entry.data as Record<string, unknown>).by, 'citizen');
  });

  it('never edits what was given: the given event and the record’s facts stay as they were', async () => {
    const notice = await publishParking(world);
    const citizen = await newCitizen();
    const { consent } = await give(world, notice, citizen);
    await world.consent.withdraw({ consentId: consent.id, citizen });
    const [given] = await world.service.dataSource
      .getRepository(ConsentEventEntity)
      .find({ where: { consentId: consent.id }, order: { seq: 'ASC' } });
    assert.equal(given?.hash, consent.history[0]?.hash);
    const row = await world.service.dataSource
      .getRepository(ConsentRecordEntity)
      .findOneByOrFail({ id: consent.id });
    assert.equal(row.recordHash, consent.recordHash);
    assert.equal(row.givenAt, consent.givenAt);
  });

  it('is refused by the database itself: history rows cannot be updated, given facts cannot change, a closed status cannot reopen', async () => {
    const notice = await publishParking(world);
    const citizen = await newCitizen();
    const { consent } = await give(world, notice, citizen);
    const events = world.service.dataSource.getRepository(ConsentEventEntity);
    const records = world.service.dataSource.getRepository(ConsentRecordEntity);
    await assert.rejects(
      events.update({ consentId: consent.id, seq: 1 }, { event: 'withdrawn' }),
      /append-only/,
    );
    await assert.rejects(
      records.update({ id: consent.id }, { purposes: '["dpv:Marketing"]' }),
      /append-only/,
    );
    await assert.rejects(
      records.update({ id: consent.id }, { expiresAt: '2999-01-01T00:00:00.000Z' }),
      /append-only/,
    );
    await world.consent.withdraw({ consentId: consent.id, citizen });
    await assert.rejects(records.update({ id: consent.id }, { status: 'given' }), /append-only/);
  });

  it('refuses anyone but the citizen who gave it (forbidden), and changes nothing', async () => {
    const notice = await publishParking(world);
    const citizen = await newCitizen();
    const { consent } = await give(world, notice, citizen);
    const stranger = await newCitizen();
    await refusedWith(world.consent.withdraw({ consentId: consent.id, citizen: stranger }), 'forbidden');
    // The same wallet DID does not make someone else the citizen: the key decides.
    await refusedWith(
      world.consent.withdraw({
        consentId: consent.id,
        citizen: { key: stranger.key, wallet: citizen.wallet },
      }),
      'forbidden',
    );
    const row = await world.service.dataSource
      .getRepository(ConsentRecordEntity)
      .findOneByOrFail({ id: consent.id });
    assert.equal(row.status, 'given');
  });

  it('the citizen withdraws with a new wallet: the identifier of their identity credential decides', async () => {
    const notice = await publishParking(world);
    const citizen = await newCitizen();
    const { consent } = await give(world, notice, citizen);
    const newWallet = { key: citizen.key, wallet: (await newCitizen()).wallet };
    assert.equal(
      (await world.consent.withdraw({ consentId: consent.id, citizen: newWallet })).status,
      'withdrawn',
    );
  });

  it('refuses a second withdrawal (already_withdrawn, 409)', async () => {
    const notice = await publishParking(world);
    const citizen = await newCitizen();
    const { consent } = await give(world, notice, citizen);
    await world.consent.withdraw({ consentId: consent.id, citizen });
    const error = await world.consent.withdraw({ consentId: consent.id, citizen }).catch((e) => e);
    assert.equal(error.code, 'already_withdrawn');
    assert.equal(error.status, 409);
    const events = await world.service.dataSource
      .getRepository(ConsentEventEntity)
      .countBy({ consentId: consent.id });
    assert.equal(events, 2);
  });

  it('withdraws once when two withdrawals race', async () => {
    const notice = await publishParking(world);
    const citizen = await newCitizen();
    const { consent } = await give(world, notice, citizen);
    const results = await Promise.allSettled([
      world.consent.withdraw({ consentId: consent.id, citizen }),
      world.consent.withdraw({ consentId: consent.id, citizen }),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal(rejected.reason.code, 'already_withdrawn');
    assert.equal((await world.events.of('consent.withdrawn', consent.id)).length, 1);
  });

  it('refuses an unknown consent (consent_not_found), an expired one (already_expired) and a replaced one (consent_superseded)', async () => {
    const citizen = await newCitizen();
    await refusedWith(world.consent.withdraw({ consentId: 'consent-nope', citizen }), 'consent_not_found');
    const short = (
      await world.consent.notices.publishByConnector(world.city.did, { ...parkingNotice(), retentionDays: 1 })
    ).notice;
    const { consent } = await give(world, short, citizen);
    await refusedWith(
      world.consent.withdraw({ consentId: consent.id, citizen, now: new Date(consent.expiresAt) }),
      'already_expired',
    );
    const notice = await publishParking(world);
    const first = await give(world, notice, citizen);
    await give(world, notice, citizen);
    await refusedWith(world.consent.withdraw({ consentId: first.consent.id, citizen }), 'consent_superseded');
  });
});
