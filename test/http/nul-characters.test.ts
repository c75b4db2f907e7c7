/**
 * NUL (U+0000) in request input (src/http/nul.ts): PostgreSQL cannot store it in text, so it is
 * refused at the edge, once for every route, with 400 `invalid_request`: in a JSON or form body
 * (keys or strings, any depth; through koa and the connector lane alike), and as `%00` in a
 * URL's path or query. Nothing is written, and a NUL in one agreement check does not fail a
 * concurrent check read in the same batch.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { AgreementEntity } from '../../src/agreements/entities.js';
import { ConsentRecordEntity } from '../../src/consent/entities.js';
import { EventEntity } from '../../src/events/entities.js';
import { type AgreementWorld, agreementWorld, as, check, concluded } from '../agreements/support.js';
import { connectorToken } from '../consent/support.js';
import { describeEachDatabase } from '../support/databases.js';

const NUL_REFUSED = /NUL characters \(U\+0000\) are not accepted/;

function refusedForNul(response: request.Response): void {
  assert.equal(response.status, 400, response.text);
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.equal(response.body.code, 'invalid_request');
  assert.match(response.body.detail, NUL_REFUSED);
}

describeEachDatabase('NUL characters in requests', (fresh) => {
  let world: AgreementWorld;
  let agreementId: string;
  let written: () => Promise<number[]>;
  before(async function () {
    this.timeout(240_000);
    world = await agreementWorld(await fresh());
    agreementId = (await concluded(world, world.city, world.transit)).agreement.id;
    const data = world.service.dataSource;
    written = () =>
      Promise.all([
        data.getRepository(AgreementEntity).count(),
        data.getRepository(EventEntity).count(),
        data.getRepository(ConsentRecordEntity).count(),
      ]);
  });
  after(async () => world?.close());

  describe('in a JSON body, refused by the connector lane', () => {
    it('refuses a NUL in the agreement of an agreement check', async () => {
      refusedForNul(await check(world, world.transit, { agreement: 'agreement-\u0000', action: 'read' }));
    });

    it('refuses a NUL in the target of an agreement check', async () => {
      refusedForNul(
        await check(world, world.transit, {
          provider: world.city.did,
          target: 'https://data.example/\u0000',
          action: 'read',
        }),
      );
    });

    it('refuses a NUL in a consent check, and in a key of the body', async () => {
      const token = await connectorToken(world, world.city, 'consents:check');
      for (const body of [
        { subject: 'subject-\u0000', purpose: 'dpv:ServiceProvision', dataCategory: 'pd:Location' },
        { subject: 's', purpose: 'dpv:ServiceProvision', dataCategory: 'pd:Location', 'x\u0000': 1 },
      ]) {
        refusedForNul(
          await request(world.app)
            .post('/api/v1/consents/check')
            .set('authorization', `Bearer ${token}`)
            .send(body),
        );
      }
    });

    it('answers a valid check fired in the same turn as a check with a NUL (one batched read)', async () => {
      const token = `Bearer ${await world.token(world.transit)}`;
      const ask = (agreement: string) =>
        request(world.app)
          .post('/api/v1/agreements/check')
          .set('authorization', token)
          .send({ agreement, action: 'read', purpose: 'dpv:ServiceProvision', spatial: 'DE300' });
      const [refused, permitted] = await Promise.all([ask('agreement-\u0000'), ask(agreementId)]);
      refusedForNul(refused);
      assert.equal(permitted.status, 200, permitted.text);
      assert.equal(permitted.body.permitted, true);
    });
  });

  describe('in a JSON body, refused by koa', () => {
    it('refuses a NUL in the offer of a proposal, nested or not, and writes nothing', async () => {
      const before = await written();
      refusedForNul(
        await as(world, world.transit).post('/api/v1/agreements', { offer: '\u0000', version: 1 }),
      );
      refusedForNul(
        await as(world, world.transit).post('/api/v1/agreements', {
          offer: 'offer',
          version: 1,
          deep: [{ a: [['\u0000']] }],
        }),
      );
      assert.deepEqual(await written(), before);
    });

    it('accepts an escaped backslash before u0000 (no NUL in the value)', async () => {
      const answer = await check(world, world.transit, { agreement: 'agreement-\\u0000', action: 'read' });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.code, 'no_agreement');
    });
  });

  describe('as %00 in the URL', () => {
    it('refuses %00 in the path, before any route', async () => {
      for (const path of [
        `/api/v1/agreements/%00`,
        `/api/v1/agreements/${agreementId}%00/credential`,
        '/api/v1/notices/%00/versions/1',
        '/api/v1/offers/%00',
        '/api/v1/events/subscriptions/%00',
        '/portal/consents/%00/receipt',
      ]) {
        refusedForNul(await as(world, world.transit).get(path));
      }
    });

    it('refuses %00 in the query', async () => {
      for (const path of [
        '/api/v1/offers?provider=%00',
        '/api/v1/offers?target=a%00b',
        '/api/v1/agreements?after=%00',
        '/api/v1/notices?controller=%00',
      ]) {
        refusedForNul(await as(world, world.transit).get(path));
      }
    });

    it("refuses %00 after a lane route's path (koa answers it: the lane serves exact paths only)", async () => {
      refusedForNul(
        await as(world, world.transit).post('/api/v1/agreements/check%00', {
          agreement: agreementId,
          action: 'read',
        }),
      );
      refusedForNul(
        await as(world, world.transit).post('/api/v1/agreements/check?x=%00', {
          agreement: agreementId,
          action: 'read',
        }),
      );
    });

    it('answers the OpenID provider in its own shape (RFC 6749 §5.2)', async () => {
      const answer = await request(world.app).get('/oidc/auth?client_id=%00');
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error, 'invalid_request');
      assert.match(answer.body.error_description, NUL_REFUSED);
    });
  });

  describe('in a form body', () => {
    it("refuses a client_id holding U+0000 at the OpenID provider's token endpoint as an unknown client, not a 500", async () => {
      const answer = await request(world.app)
        .post('/oidc/token')
        .type('form')
        .send('grant_type=client_credentials&client_id=a%00b&client_secret=x');
      assert.equal(answer.status, 401, answer.text);
      assert.equal(answer.body.error, 'invalid_client');
    });

    it('refuses %00 in a portal form and writes nothing', async () => {
      const before = await written();
      refusedForNul(
        await request(world.app)
          .post('/portal/consents/some-consent/withdraw')
          .type('form')
          .send('csrf=abc%00&confirm=yes'),
      );
      refusedForNul(
        await request(world.app)
          .post('/portal/consents/some-consent/withdraw')
          .type('form')
          .send('csrf%00=abc'),
      );
      assert.deepEqual(await written(), before);
    });
  });
});
