/**
 * The check (issue 13 item 4; docs/agreements.md "The check"): a party's connector asks whether
 * an exchange is covered; the answer names every check and fails closed. A third member is
 * refused (403). `count` constraints are enforced by a use counter that is exact under
 * concurrency: two replicas on one database, racing checks, never more permitted uses than the
 * count.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { AgreementEntity } from '../../src/agreements/entities.js';
import { AGREEMENT_CHECKS } from '../../src/agreements/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import {
  type AgreementWorld,
  accept,
  agreementWorld,
  check,
  concluded,
  PARKING,
  parkingOffer,
  publishOffer,
} from './support.js';

describeEachDatabase('the agreement check', (fresh) => {
  let world: AgreementWorld;
  let database: Awaited<ReturnType<typeof fresh>>;
  before(async function () {
    this.timeout(240_000);
    database = await fresh();
    world = await agreementWorld(database);
  });
  after(async () => world?.close());

  it('runs its checks in a fixed order: exists, parties, active, expiry, membership, policy', () => {
    assert.deepEqual(
      AGREEMENT_CHECKS.map((c) => c.name),
      ['checkParties', 'checkActive', 'checkExpiry', 'checkMembership', 'checkPolicy'],
    );
  });

  it('permits an allowed purpose and refuses another, by provider and target, naming every check', async () => {
    const { agreement } = await concluded(world, world.city, world.transit);
    const question = { provider: world.city.did, target: PARKING, action: 'read', spatial: 'DE300' };
    const ok = await check(world, world.transit, { ...question, purpose: 'dpv:ServiceProvision' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.permitted, true);
    assert.equal(ok.body.agreementId, agreement.id);
    assert.deepEqual(
      ok.body.checks.map((c: { check: string; result: string }) => [c.check, c.result]),
      [
        ['exists', 'passed'],
        ['parties', 'passed'],
        ['active', 'passed'],
        ['expiry', 'passed'],
        ['membership', 'passed'],
        ['policy', 'passed'],
      ],
    );
    assert.equal(ok.headers['cache-control'], 'no-store');
    const refused = await check(world, world.transit, { ...question, purpose: 'dpv:ServiceUsageAnalytics' });
    assert.equal(refused.body.permitted, false);
    assert.equal(refused.body.code, 'constraint_failed:purpose');
    assert.deepEqual(refused.body.reasons, ['constraint_failed:purpose']);
    const policy = refused.body.checks.find((c: { check: string }) => c.check === 'policy');
    assert.equal(policy.decision, 'purpose_not_permitted');
  });

  it('prohibition over permission: distributing is refused with prohibited', async () => {
    const { agreement } = await concluded(world, world.city, world.transit);
    const answer = await check(world, world.transit, {
      agreement: agreement.id,
      action: 'distribute',
      purpose: 'dpv:ServiceProvision',
      spatial: 'DE300',
    });
    assert.equal(answer.body.permitted, false);
    assert.equal(answer.body.code, 'prohibited');
  });

  it('fails closed: a constraint on spatial with no spatial in the question is not satisfied', async () => {
    const { agreement } = await concluded(world, world.city, world.transit);
    const answer = await check(world, world.transit, {
      agreement: agreement.id,
      action: 'read',
      purpose: 'dpv:ServiceProvision',
    });
    assert.equal(answer.body.permitted, false);
    assert.deepEqual(answer.body.reasons, ['constraint_failed:spatial']);
  });

  it('the provider asks too (naming the consumer); a proposed agreement answers not_active', async () => {
    const { agreement } = await concluded(world, world.city, world.transit);
    const answer = await check(world, world.city, {
      provider: world.city.did,
      consumer: world.transit.did,
      target: PARKING,
      action: 'read',
      purpose: 'dpv:ServiceProvision',
      spatial: 'DE300',
    });
    assert.equal(answer.body.permitted, true);
    assert.equal(answer.body.agreementId, agreement.id);
    const offer = await publishOffer(world, world.city, parkingOffer({ target: `${PARKING}/proposed` }));
    const proposed = await accept(world, world.transit, offer);
    const unsigned = await check(world, world.transit, {
      agreement: proposed.id,
      action: 'read',
      purpose: 'dpv:ServiceProvision',
      spatial: 'DE300',
    });
    assert.equal(unsigned.body.permitted, false);
    assert.equal(unsigned.body.code, 'not_active');
  });

  it('no_agreement: nothing between these parties over this target', async () => {
    const answer = await check(world, world.institute, {
      provider: world.utility.did,
      target: 'https://nothing.example/none',
      action: 'read',
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.permitted, false);
    assert.equal(answer.body.code, 'no_agreement');
  });

  it('not_a_party (403): a third member asks about another’s agreement', async () => {
    const { agreement } = await concluded(world, world.city, world.transit);
    const byId = await check(world, world.institute, { agreement: agreement.id, action: 'read' });
    assert.equal(byId.status, 403);
    assert.equal(byId.body.code, 'not_a_party');
    const byParties = await check(world, world.institute, {
      provider: world.city.did,
      consumer: world.transit.did,
      target: PARKING,
      action: 'read',
    });
    assert.equal(byParties.status, 403);
    assert.equal(byParties.body.code, 'not_a_party');
  });

  it('naming an agreement covers only its own provider, consumer and target (parties: *_mismatch)', async () => {
    const { agreement } = await concluded(world, world.city, world.transit);
    const base = {
      agreement: agreement.id,
      action: 'read',
      purpose: 'dpv:ServiceProvision',
      spatial: 'DE300',
    };
    assert.equal((await check(world, world.transit, base)).body.permitted, true);
    for (const [asker, extra, code] of [
      [world.transit, { target: 'https://data.example-city.eu/datasets/secret' }, 'target_mismatch'],
      [world.transit, { provider: world.institute.did }, 'provider_mismatch'],
      [world.city, { consumer: world.institute.did }, 'consumer_mismatch'],
    ] as const) {
      const answer = await check(world, asker, { ...base, ...extra, record: true });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.permitted, false, JSON.stringify(extra));
      assert.equal(answer.body.code, code);
      assert.equal(answer.body.uses, undefined, 'no use is recorded for a refused question');
    }
  });

  it('a purpose or place in another spelling is refused (invalid_request), never compared as a new term', async () => {
    const { agreement } = await concluded(world, world.city, world.transit);
    const base = { agreement: agreement.id, action: 'read' };
    // The full DPV IRI is the same term, and a place code is read upper-cased.
    const same = await check(world, world.transit, {
      ...base,
      purpose: 'https://w3id.org/dpv#ServiceProvision',
      spatial: 'de300',
    });
    assert.equal(same.body.permitted, true, same.text);
    for (const odd of [
      { purpose: 'http://w3id.org/dpv#ServiceProvision', spatial: 'DE300' },
      { purpose: 'dpv:serviceprovision', spatial: 'DE300' },
      { purpose: 'dpv:ServiceProvision ', spatial: 'DE300' },
      { purpose: 'dpv:NotARealPurpose', spatial: 'DE300' },
      { purpose: 'dpv:ServiceProvision', spatial: 'DE300 ' },
      { purpose: 'dpv:ServiceProvision', spatial: 'D E' },
    ]) {
      const response = await check(world, world.transit, { ...base, ...odd });
      assert.equal(response.status, 400, JSON.stringify(odd));
      assert.equal(response.body.code, 'invalid_request');
    }
  });

  it('not_the_consumer (403): only the consumer’s connector records uses; the provider may still ask', async () => {
    const { agreement } = await concluded(world, world.city, world.transit);
    const question = {
      agreement: agreement.id,
      action: 'read',
      purpose: 'dpv:ServiceProvision',
      spatial: 'DE300',
    };
    const asked = await check(world, world.city, question);
    assert.equal(asked.body.permitted, true, asked.text);
    const recorded = await check(world, world.city, { ...question, record: true });
    assert.equal(recorded.status, 403);
    assert.equal(recorded.body.code, 'not_the_consumer');
    const own = await check(world, world.transit, { ...question, record: true });
    assert.equal(own.body.uses, 1, 'the provider’s attempt counted nothing');
  });

  it('coverage is never back-dated: a question `at` a time before the activation is before_activation', async () => {
    const { agreement } = await concluded(world, world.city, world.transit);
    const answer = await check(world, world.transit, {
      agreement: agreement.id,
      action: 'read',
      purpose: 'dpv:ServiceProvision',
      spatial: 'DE300',
      at: '2000-01-01T00:00:00Z',
    });
    assert.equal(answer.body.permitted, false);
    assert.equal(answer.body.code, 'before_activation');
  });

  it('invalid_request: a question without an action, with an unknown field, or recording at another time', async () => {
    for (const body of [
      { agreement: 'agreement-x' },
      { agreement: 'agreement-x', action: 'read', colour: 'blue' },
      { agreement: 'agreement-x', action: 'read', record: true, at: '2030-01-01T00:00:00Z' },
      { action: 'read', target: PARKING },
    ]) {
      const response = await check(world, world.transit, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body.code, 'invalid_request');
    }
  });

  it('invalid_request: an `at` that is not a real instant is refused, never rolled over (Feb 30 is not Mar 2)', async () => {
    const { agreement } = await concluded(world, world.city, world.transit);
    for (const at of [
      '2026-02-30T00:00:00Z',
      '2027-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-06-01T24:00:00Z',
      '2026-06-01T12:60:00Z',
      '2026-06-01T12:00:60Z',
      '2026-06-01T12:00:00+24:00',
      '2026-06-01T12:00:00',
      '2026-06-01',
    ]) {
      const response = await check(world, world.transit, { agreement: agreement.id, action: 'read', at });
      assert.equal(response.status, 400, at);
      assert.equal(response.body.code, 'invalid_request', at);
    }
    const leapDay = await check(world, world.transit, {
      agreement: agreement.id,
      action: 'read',
      purpose: 'dpv:ServiceProvision',
      spatial: 'DE300',
      at: '2028-02-29T23:59:59.123456+01:00',
    });
    assert.equal(leapDay.status, 200, leapDay.text);
  });

  it('insufficient_scope: a token without the agreements scope', async () => {
    const { connectorToken } = await import('../consent/support.js');
    const token = await connectorToken(world, world.transit, 'events');
    const response = await request(world.app)
      .post('/api/v1/agreements/check')
      .set('authorization', `Bearer ${token}`)
      .send({ agreement: 'agreement-x', action: 'read' });
    assert.equal(response.status, 403);
    assert.equal(response.body.code, 'insufficient_scope');
  });

  it('count: racing checks on two replicas never permit more uses than the count', async function () {
    this.timeout(120_000);
    const limit = 5;
    const policy = parkingOffer({
      target: `${PARKING}/count`,
      permission: [
        {
          action: 'use',
          constraint: [
            { leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:ServiceProvision' },
            { leftOperand: 'count', operator: 'lteq', rightOperand: limit },
          ],
        },
      ],
      prohibition: [],
    });
    const { agreement } = await concluded(world, world.city, world.transit, { policy });
    // A second replica of the service on the same database.
    const replica = await openTestService(database, { PUBLIC_URL: world.service.config.publicUrl });
    try {
      const token = await world.token(world.transit);
      const apps = [world.app, replica.app.callback()];
      const attempts = 16;
      const answers = await Promise.all(
        Array.from({ length: attempts }, (_, i) =>
          request(apps[i % 2] as ReturnType<typeof replica.app.callback>)
            .post('/api/v1/agreements/check')
            .set('authorization', `Bearer ${token}`)
            .send({ agreement: agreement.id, action: 'read', purpose: 'dpv:ServiceProvision', record: true }),
        ),
      );
      for (const answer of answers) assert.equal(answer.status, 200, answer.text);
      const permitted = answers.filter((answer) => answer.body.permitted === true);
      assert.equal(permitted.length, limit);
      assert.deepEqual(
        permitted.map((answer) => answer.body.uses).sort((a: number, b: number) => a - b),
        [1, 2, 3, 4, 5],
      );
      for (const refused of answers.filter((answer) => answer.body.permitted !== true)) {
        assert.equal(refused.body.code, 'count_exhausted');
      }
      const row = await world.service.dataSource
        .getRepository(AgreementEntity)
        .findOneByOrFail({ id: agreement.id });
      assert.equal(row.uses, limit);
      // A check without `record` counts nothing.
      const peek = await check(world, world.transit, {
        agreement: agreement.id,
        action: 'read',
        purpose: 'dpv:ServiceProvision',
      });
      assert.equal(peek.body.permitted, false);
      assert.equal(peek.body.code, 'count_exhausted');
      assert.deepEqual(peek.body.reasons, ['count_exhausted']);
    } finally {
      await replica.close();
    }
  });
});
