/**
 * Two replicas over one PostgreSQL database (issue 13 "Tests": the lifecycle on another
 * replica; ARCHITECTURE "Persistence and scale"): a suspension decided on one replica makes the
 * check answer `not_active` at once on the other, the credential verifies as suspended there,
 * and a reinstatement counts at once the other way; racing checks with `record` on both
 * replicas never permit more uses than a `count` constraint allows. A second replica over one
 * SQLite file is not a deployment the service supports: those cases are skipped on SQLite (the
 * count race also runs on SQLite in check.test.ts).
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { AgreementEntity } from '../../src/agreements/entities.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { type AgreementWorld, agreementWorld, concluded, decide, PARKING, parkingOffer } from './support.js';

describeEachDatabase('agreements on two replicas', (fresh, kind) => {
  let world: AgreementWorld;
  let replica: Service;
  let database: TestDatabase;

  before(async function () {
    if (kind !== 'postgres') this.skip();
    this.timeout(240_000);
    database = await fresh();
    world = await agreementWorld(database);
    replica = await openTestService(database, { PUBLIC_URL: world.service.config.publicUrl });
  });
  after(async () => {
    await replica?.close();
    await world?.close();
  });

  const on = (app: ReturnType<Service['app']['callback']>, token: string, body: object) =>
    request(app).post('/api/v1/agreements/check').set('authorization', `Bearer ${token}`).send(body);

  it('a suspension decided on one replica: the other answers not_active at once; a reinstatement likewise', async function () {
    this.timeout(120_000);
    const { agreement } = await concluded(world, world.city, world.transit);
    const other = replica.app.callback();
    const token = await world.token(world.transit);
    const question = {
      agreement: agreement.id,
      action: 'read',
      purpose: 'dpv:ServiceProvision',
      spatial: 'DE300',
    };
    const credential = (
      await request(other)
        .get(`/api/v1/agreements/${agreement.id}/credential`)
        .set('authorization', `Bearer ${token}`)
        .expect(200)
    ).body.credential as string;
    const status = async () =>
      (
        await request(other).post('/api/v1/credentials/verify').send({ credential }).expect(200)
      ).body.checks.find((c: { check: string }) => c.check === 'status');
    // The other replica has answered (and verified) before: nothing it may have cached survives.
    assert.equal((await on(other, token, question)).body.permitted, true);
    assert.equal((await status()).result, 'passed');

    await decide(world, 'suspend', world.city.did); // on the first replica
    const suspended = await on(other, token, question);
    assert.equal(suspended.status, 200);
    assert.equal(suspended.body.permitted, false);
    assert.equal(suspended.body.code, 'not_active');
    assert.deepEqual(suspended.body.reasons, ['not_active', 'party_not_active']);
    assert.equal((await status()).code, 'suspended');

    await decide(world, 'reinstate', world.city.did);
    const reinstated = await on(other, token, question);
    assert.equal(reinstated.body.permitted, true, JSON.stringify(reinstated.body.reasons));
    assert.equal((await status()).result, 'passed');
  });

  it('count: 24 racing checks with record, alternating replicas, permit exactly the count', async function () {
    this.timeout(120_000);
    const limit = 7;
    const policy = parkingOffer({
      target: `${PARKING}/replicas-count`,
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
    const token = await world.token(world.transit);
    const apps = [world.app, replica.app.callback()];
    const body = { agreement: agreement.id, action: 'read', purpose: 'dpv:ServiceProvision', record: true };
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => on(apps[i % 2] as (typeof apps)[number], token, body)),
    );
    for (const answer of answers) assert.equal(answer.status, 200, answer.text);
    const permitted = answers.filter((answer) => answer.body.permitted === true);
    assert.equal(permitted.length, limit);
    assert.deepEqual(
      permitted.map((answer) => answer.body.uses as number).sort((a, b) => a - b),
      Array.from({ length: limit }, (_, i) => i + 1),
    );
    for (const answer of answers.filter((a) => a.body.permitted !== true)) {
      assert.deepEqual(answer.body.reasons, ['count_exhausted']);
    }
    const row = await replica.dataSource.getRepository(AgreementEntity).findOneByOrFail({ id: agreement.id });
    assert.equal(Number(row.uses), limit);
  });
});
