/**
 * Retrying a recorded check (issue 13 review item 3; docs/agreements.md "Retrying a recorded
 * check"): a connector whose answer was lost asks again with the same `Idempotency-Key` and gets
 * the same answer, and the use is counted once, also when the retries race on two replicas
 * (PostgreSQL; on SQLite the racing requests go to the one service). The same key for another
 * question is refused (`idempotency_conflict`), a key without `record` (`invalid_request`), and
 * neither counts anything.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { AgreementEntity } from '../../src/agreements/entities.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import {
  type AgreementWorld,
  agreementWorld,
  concluded,
  decide,
  PARKING,
  parkingOffer,
  statement,
} from './support.js';

describeEachDatabase('a recorded check retried with an Idempotency-Key', (fresh, kind) => {
  let world: AgreementWorld;
  let replica: Service | undefined;
  let agreementId: string;
  let token: string;

  before(async function () {
    this.timeout(240_000);
    const database = await fresh();
    world = await agreementWorld(database);
    if (kind === 'postgres')
      replica = await openTestService(database, { PUBLIC_URL: world.service.config.publicUrl });
    const policy = parkingOffer({
      target: `${PARKING}/retried`,
      permission: [
        {
          action: 'use',
          constraint: [
            {
              leftOperand: 'purpose',
              operator: 'isAnyOf',
              rightOperand: ['dpv:ServiceProvision', 'dpv:ResearchAndDevelopment'],
            },
            { leftOperand: 'count', operator: 'lteq', rightOperand: 5 },
          ],
        },
      ],
      prohibition: [],
    });
    agreementId = (await concluded(world, world.city, world.transit, { policy })).agreement.id;
    token = await world.token(world.transit);
  });
  after(async () => {
    await replica?.close();
    await world?.close();
  });

  const apps = () => [world.app, replica ? replica.app.callback() : world.app];
  const ask = (app: ReturnType<typeof apps>[number], body: object, key?: string) => {
    const call = request(app).post('/api/v1/agreements/check').set('authorization', `Bearer ${token}`);
    if (key !== undefined) call.set('idempotency-key', key);
    return call.send(body);
  };
  const uses = async () =>
    Number(
      (await world.service.dataSource.getRepository(AgreementEntity).findOneByOrFail({ id: agreementId }))
        .uses,
    );
  const question = () => ({
    agreement: agreementId,
    action: 'read',
    purpose: 'dpv:ServiceProvision',
    record: true,
  });

  it('12 racing retries with one key, alternating replicas: one use counted, one answer given to all', async function () {
    this.timeout(60_000);
    const [first, second] = apps();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => ask((i % 2 === 0 ? first : second) as never, question(), 'use-1')),
    );
    for (const answer of answers) assert.equal(answer.status, 200, answer.text);
    assert.equal(await uses(), 1);
    const fresh = answers.filter((answer) => answer.body.replayed !== true);
    assert.equal(fresh.length, 1);
    const { replayed: _replayed, ...original } = (answers.find((a) => a.body.replayed === true)?.body ??
      {}) as Record<string, unknown>;
    assert.deepEqual(original, fresh[0]?.body);
    for (const answer of answers) {
      assert.equal(answer.body.permitted, true);
      assert.equal(answer.body.uses, 1);
    }
  });

  it('another key is another use; a retry later still answers the first answer', async () => {
    const next = await ask(world.app, question(), 'use-2');
    assert.equal(next.status, 200, next.text);
    assert.equal(next.body.uses, 2);
    assert.equal(next.body.replayed, undefined);
    const later = await ask(world.app, question(), 'use-1');
    assert.equal(later.body.replayed, true);
    assert.equal(later.body.uses, 1);
    assert.equal(await uses(), 2);
  });

  it('the same key for another question: 409 idempotency_conflict, nothing counted', async () => {
    const refused = await ask(world.app, { ...question(), purpose: 'dpv:ResearchAndDevelopment' }, 'use-1');
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.code, 'idempotency_conflict');
    assert.equal(await uses(), 2);
  });

  it('the key is per connector: the provider using the consumer’s key asks its own question (not_the_consumer)', async () => {
    const provider = await world.token(world.city);
    const refused = await request(world.app)
      .post('/api/v1/agreements/check')
      .set('authorization', `Bearer ${provider}`)
      .set('idempotency-key', 'use-1')
      .send(question());
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.code, 'not_the_consumer');
    assert.equal(await uses(), 2);
  });

  it('a key without record, or a malformed key: 400 invalid_request, nothing counted', async () => {
    const unrecorded = await ask(world.app, { ...question(), record: false }, 'use-3');
    assert.equal(unrecorded.status, 400, unrecorded.text);
    assert.equal(unrecorded.body.code, 'invalid_request');
    const malformed = await ask(world.app, question(), 'x'.repeat(201));
    assert.equal(malformed.status, 400, malformed.text);
    assert.equal(malformed.body.code, 'invalid_request');
    assert.equal(await uses(), 2);
  });
  it('a retry answers the kept permit only while the agreement stands: not_active once a party is suspended or the agreement terminated, counting nothing', async function () {
    this.timeout(120_000);
    const policy = parkingOffer({ target: `${PARKING}/retried-ended`, prohibition: [] });
    const { agreement } = await concluded(world, world.city, world.transit, { policy });
    const body = {
      agreement: agreement.id,
      action: 'read',
      purpose: 'dpv:ServiceProvision',
      spatial: 'DE300',
      record: true,
    };
    const counted = async () =>
      Number(
        (await world.service.dataSource.getRepository(AgreementEntity).findOneByOrFail({ id: agreement.id }))
          .uses,
      );
    const first = await ask(world.app, body, 'ended-1');
    assert.equal(first.body.permitted, true, first.text);
    assert.equal(await counted(), 1);

    await decide(world, 'suspend', world.city.did);
    for (const app of apps()) {
      const retried = await ask(app as never, body, 'ended-1');
      assert.equal(retried.status, 200, retried.text);
      assert.equal(retried.body.permitted, false);
      assert.equal(retried.body.code, 'not_active');
      assert.equal(retried.body.replayed, undefined);
    }
    await decide(world, 'reinstate', world.city.did);
    const again = await ask(world.app, body, 'ended-1');
    assert.equal(again.body.permitted, true, again.text);
    assert.equal(again.body.replayed, true);

    const terminated = await request(world.app)
      .post(`/api/v1/agreements/${agreement.id}/termination`)
      .send({
        statement: await statement(world, world.transit, agreement.id, agreement.hash, {
          action: 'terminate-agreement',
          reason: 'no longer needed',
        }),
      });
    assert.equal(terminated.status, 200, terminated.text);
    const retried = await ask(world.app, body, 'ended-1');
    assert.equal(retried.body.permitted, false);
    assert.equal(retried.body.code, 'not_active');
    assert.equal(await counted(), 1);
  });
});
