/**
 * The lifecycle bound to membership (issue 13 item 3; docs/agreements.md "Lifecycle"): a party
 * suspended by the board suspends its agreements in the decision's transaction (the check says
 * `not_active` at once, `agreement.suspended` is in the outbox, the credentials verify as
 * suspended); reinstated → active again; revoked → terminated. An agreement past its end is
 * `expired` for the check at once, and the expiry job records it.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { AgreementEntity } from '../../src/agreements/entities.js';
import { parseAgreementQuestion } from '../../src/agreements/index.js';
import { AuditEntryEntity } from '../../src/audit/entities.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { type AgreementWorld, agreementWorld, as, check, concluded, decide } from './support.js';

describeEachDatabase('the agreement lifecycle', (fresh) => {
  let world: AgreementWorld;
  let database: Awaited<ReturnType<typeof fresh>>;
  before(async function () {
    this.timeout(240_000);
    database = await fresh();
    world = await agreementWorld(database);
  });
  after(async () => world?.close());

  const allowed = (agreement: string) => ({
    agreement,
    action: 'read',
    purpose: 'dpv:ServiceProvision',
    spatial: 'DE300',
  });
  const credentialStatus = async (member: AgreementWorld['city'], agreement: string) => {
    const credential = await as(world, member).get(`/api/v1/agreements/${agreement}/credential`);
    const verified = await request(world.app)
      .post('/api/v1/credentials/verify')
      .send({ credential: credential.body.credential });
    return verified.body.checks.find((c: { check: string }) => c.check === 'status') as {
      result: string;
      code?: string;
    };
  };

  it('suspension of a party by the board suspends its agreements in the same transaction (not_active at once, on another replica too); reinstatement makes them active again', async function () {
    this.timeout(60_000);
    const { agreement } = await concluded(world, world.utility, world.transit);
    assert.equal((await check(world, world.transit, allowed(agreement.id))).body.permitted, true);

    // A second replica on the same database: it answers from the database too.
    const replica = await openTestService(database, { PUBLIC_URL: world.service.config.publicUrl });
    await decide(world, 'suspend', world.utility.did);
    try {
      const elsewhere = await request(replica.app.callback())
        .post('/api/v1/agreements/check')
        .set('authorization', `Bearer ${await world.token(world.transit)}`)
        .send(allowed(agreement.id));
      assert.equal(elsewhere.status, 200, elsewhere.text);
      assert.equal(elsewhere.body.code, 'not_active');
    } finally {
      await replica.close();
    }
    // At once, with no job in between: the row changed with the member's.
    const row = await world.service.dataSource
      .getRepository(AgreementEntity)
      .findOneByOrFail({ id: agreement.id });
    assert.equal(row.status, 'suspended');
    const answer = await check(world, world.transit, allowed(agreement.id));
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.permitted, false);
    assert.equal(answer.body.code, 'not_active');
    assert.ok(answer.body.reasons.includes('party_not_active'));
    const [suspended] = await world.outbox('agreement.suspended', agreement.id);
    assert.deepEqual(suspended?.audience, [world.transit.did, world.utility.did].sort());
    assert.equal(suspended?.data.party, world.utility.did);
    assert.equal((await credentialStatus(world.transit, agreement.id)).code, 'suspended');

    // Every change is an entry of the audit log, in order.
    const kinds = (
      await world.service.dataSource
        .getRepository(AuditEntryEntity)
        .find({ where: { subject: agreement.id }, order: { sequence: 'ASC' } })
    ).map((entry) => entry.kind);
    assert.deepEqual(kinds, [
      'agreement.proposed',
      'agreement.signed',
      'agreement.signed',
      'agreement.activated',
      'agreement.suspended',
    ]);

    await decide(world, 'reinstate', world.utility.did);
    const again = await check(world, world.transit, allowed(agreement.id));
    assert.equal(again.body.permitted, true, again.text);
    assert.equal((await world.outbox('agreement.reinstated', agreement.id)).length, 1);
    assert.equal((await credentialStatus(world.transit, agreement.id)).result, 'passed');
  });

  it('an agreement both of whose parties were suspended is active again only when both are reinstated', async function () {
    this.timeout(90_000);
    const { agreement } = await concluded(world, world.city, world.institute);
    await decide(world, 'suspend', world.city.did);
    await decide(world, 'suspend', world.institute.did);
    await decide(world, 'reinstate', world.city.did);
    const row = await world.service.dataSource
      .getRepository(AgreementEntity)
      .findOneByOrFail({ id: agreement.id });
    assert.equal(row.status, 'suspended');
    assert.deepEqual(JSON.parse(row.suspendedParties), [world.institute.did]);
    assert.equal((await world.outbox('agreement.suspended', agreement.id)).length, 1);
    assert.equal((await world.outbox('agreement.reinstated', agreement.id)).length, 0);
    await decide(world, 'reinstate', world.institute.did);
    const again = await check(world, world.institute, allowed(agreement.id));
    assert.equal(again.body.permitted, true, again.text);
    assert.equal((await world.outbox('agreement.reinstated', agreement.id)).length, 1);
  });

  it('a suspended party’s own connector is refused at the door (member_not_active)', async function () {
    this.timeout(60_000);
    const { agreement } = await concluded(world, world.city, world.institute);
    await decide(world, 'suspend', world.institute.did);
    try {
      const response = await check(world, world.institute, allowed(agreement.id));
      assert.equal(response.status, 403);
      assert.equal(response.body.code, 'member_not_active');
    } finally {
      await decide(world, 'reinstate', world.institute.did);
    }
  });

  it('revocation of a party terminates its agreements and revokes their credentials', async function () {
    this.timeout(60_000);
    const { agreement } = await concluded(world, world.utility, world.institute);
    await decide(world, 'revoke', world.utility.did);
    const row = await world.service.dataSource
      .getRepository(AgreementEntity)
      .findOneByOrFail({ id: agreement.id });
    assert.equal(row.status, 'terminated');
    assert.equal(row.endedBy, 'service');
    const [terminated] = await world.outbox('agreement.terminated', agreement.id);
    assert.equal(terminated?.data.terminatedBy, 'service');
    assert.equal((await credentialStatus(world.institute, agreement.id)).code, 'revoked');
    const answer = await check(world, world.institute, allowed(agreement.id));
    assert.equal(answer.body.permitted, false);
    assert.equal(answer.body.code, 'not_active');
  });

  it('expiry: the check answers expired from the end on, before the job ran; the job records it once', async function () {
    this.timeout(60_000);
    const endsAt = new Date(world.clock.now().getTime() + 3_600_000).toISOString();
    const { agreement } = await concluded(world, world.city, world.transit, { extra: { endsAt } });
    assert.equal((await check(world, world.transit, allowed(agreement.id))).body.permitted, true);
    // Two hours on (the register's clock; the connectors' tokens would not outlive the jump).
    const later = new Date(world.clock.now().getTime() + 2 * 3_600_000);
    const answer = await world.service.agreements.check(
      world.transit.did,
      parseAgreementQuestion(allowed(agreement.id)),
      later,
    );
    assert.equal(answer.permitted, false);
    assert.equal(answer.code, 'expired');
    const row = await world.service.dataSource
      .getRepository(AgreementEntity)
      .findOneByOrFail({ id: agreement.id });
    assert.equal(row.status, 'active', 'the job has not run yet');
    assert.ok((await world.service.agreements.expireDue(later)) >= 1);
    assert.equal(await world.service.agreements.expireDue(later), 0);
    const ended = await world.service.dataSource
      .getRepository(AgreementEntity)
      .findOneByOrFail({ id: agreement.id });
    assert.equal(ended.status, 'expired');
    assert.equal(ended.statusAt, endsAt);
    assert.equal((await world.outbox('agreement.expired', agreement.id)).length, 1);
    assert.equal((await credentialStatus(world.transit, agreement.id)).code, 'revoked');
  });
});
