/**
 * Offers (issue 13 item 1; docs/agreements.md "Offers"): a provider member publishes an ODRL
 * Offer for a target it names, through its connector or by a statement signed with its DID;
 * versioned, public, filterable by provider and target, paged. Refusals carry their code and
 * write nothing.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { OfferEntity } from '../../src/agreements/entities.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  type AgreementWorld,
  agreementWorld,
  as,
  decide,
  PARKING,
  parkingOffer,
  publishOffer,
} from './support.js';

const seconds = () => Math.floor(Date.now() / 1000);

describeEachDatabase('offers', (fresh) => {
  let world: AgreementWorld;
  before(async function () {
    this.timeout(240_000);
    world = await agreementWorld(await fresh());
  });
  after(async () => world?.close());

  const offers = () => world.service.dataSource.getRepository(OfferEntity).count();

  describe('publishing (ODRL 2.2 §2.1 Offer)', () => {
    it('publishes an Offer through the provider’s connector: version 1, its target, the provider as assigner, a hash', async () => {
      const offer = await publishOffer(world, world.city);
      assert.match(offer.id, /^offer-[0-9a-f-]{36}$/);
      assert.equal(offer.version, 1);
      assert.equal(offer.target, PARKING);
      assert.match(offer.hash, /^[0-9a-f]{64}$/);
      const shown = await request(world.app).get(`/api/v1/offers/${offer.id}`).expect(200);
      assert.equal(shown.body.provider, world.city.did);
      assert.equal(shown.body.hash, offer.hash);
      assert.deepEqual(
        shown.body.versions.map((v: { version: number }) => v.version),
        [1],
      );
      assert.equal(
        JSON.stringify(shown.body.policy).includes(world.city.did),
        true,
        'the assigner is the provider',
      );
    });

    it('publishes an Offer signed by the provider’s DID, without a token', async () => {
      const token = await world.utility.sign({
        iss: world.utility.did,
        aud: world.service.identity.did,
        iat: seconds(),
        jti: randomUUID(),
        action: 'publish-offer',
        policy: parkingOffer({ target: 'https://data.example-utility.eu/meters' }),
      });
      const response = await request(world.app).post('/api/v1/offers').send({ statement: token }).expect(201);
      assert.equal(response.body.provider, world.utility.did);
      assert.equal(response.body.publishedVia, 'statement');
      // The same statement again answers the same version (idempotent under its jti).
      const again = await request(world.app).post('/api/v1/offers').send({ statement: token }).expect(200);
      assert.equal(again.body.id, response.body.id);
    });

    it('keeps every version: a new version under the same id, the old one still readable and immutable', async () => {
      const offer = await publishOffer(world, world.city);
      const narrower = parkingOffer({
        permission: [
          {
            action: 'read',
            constraint: [{ leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:ServiceProvision' }],
          },
        ],
      });
      const second = await as(world, world.city).post(`/api/v1/offers/${offer.id}/versions`, {
        policy: narrower,
      });
      assert.equal(second.status, 201, second.text);
      assert.equal(second.body.version, 2);
      assert.notEqual(second.body.hash, offer.hash);
      const first = await request(world.app).get(`/api/v1/offers/${offer.id}/versions/1`).expect(200);
      assert.equal(first.body.hash, offer.hash);
      assert.match(first.headers['cache-control'] ?? '', /immutable/);
      const latest = await request(world.app).get(`/api/v1/offers/${offer.id}`).expect(200);
      assert.equal(latest.body.version, 2);
    });

    it('answers a retry with the same Idempotency-Key with the same version, a different body with idempotency_conflict', async () => {
      const key = randomUUID();
      const first = await as(world, world.city).post(
        '/api/v1/offers',
        { policy: parkingOffer() },
        { 'idempotency-key': key },
      );
      assert.equal(first.status, 201);
      const retry = await as(world, world.city).post(
        '/api/v1/offers',
        { policy: parkingOffer() },
        { 'idempotency-key': key },
      );
      assert.equal(retry.status, 200);
      assert.equal(retry.body.id, first.body.id);
      const conflict = await as(world, world.city).post(
        '/api/v1/offers',
        { policy: parkingOffer({ prohibition: [] }) },
        { 'idempotency-key': key },
      );
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body.code, 'idempotency_conflict');
    });
  });

  describe('the public list (filter by provider and target, paged)', () => {
    it('lists the latest version of each offer, filtered by provider and by target, page by page', async () => {
      const target = `https://data.example-utility.eu/feeds/${randomUUID()}`;
      const ids = [];
      for (let i = 0; i < 3; i++)
        ids.push((await publishOffer(world, world.utility, parkingOffer({ target }))).id);
      const page1 = await request(world.app).get('/api/v1/offers').query({ target, limit: 2 }).expect(200);
      assert.equal(page1.body.items.length, 2);
      assert.ok(page1.body.next);
      const page2 = await request(world.app)
        .get('/api/v1/offers')
        .query({ target, limit: 2, after: page1.body.next })
        .expect(200);
      assert.equal(page2.body.items.length, 1);
      assert.equal(page2.body.next, undefined);
      assert.deepEqual(
        [...page1.body.items, ...page2.body.items].map((o: { id: string }) => o.id),
        [...ids].sort(),
      );
      const byProvider = await request(world.app)
        .get('/api/v1/offers')
        .query({ provider: world.utility.did, limit: 100 })
        .expect(200);
      assert.ok(byProvider.body.items.every((o: { provider: string }) => o.provider === world.utility.did));
      assert.ok(ids.every((id) => byProvider.body.items.some((o: { id: string }) => o.id === id)));
    });

    it('invalid_page_size: a limit out of 1..100', async () => {
      const response = await request(world.app).get('/api/v1/offers').query({ limit: 101 }).expect(400);
      assert.equal(response.body.code, 'invalid_page_size');
    });

    it('offer_not_found and offer_version_not_found', async () => {
      assert.equal(
        (await request(world.app).get('/api/v1/offers/offer-nope').expect(404)).body.code,
        'offer_not_found',
      );
      const offer = await publishOffer(world, world.city);
      const missing = await request(world.app).get(`/api/v1/offers/${offer.id}/versions/9`).expect(404);
      assert.equal(missing.body.code, 'offer_version_not_found');
    });
  });

  describe('refusals (nothing is written)', () => {
    const refused = async (body: unknown, status: number, code: string, member = world.city) => {
      const before = await offers();
      const response = await as(world, member).post('/api/v1/offers', body);
      assert.equal(response.status, status, response.text);
      assert.equal(response.body.code, code);
      assert.equal(await offers(), before);
      return response.body;
    };

    it('unsupported_policy_term: a left operand outside the profile, named', async () => {
      const body = await refused(
        {
          policy: parkingOffer({
            permission: [
              { action: 'use', constraint: [{ leftOperand: 'industry', operator: 'eq', rightOperand: 'x' }] },
            ],
          }),
        },
        400,
        'unsupported_policy_term',
      );
      assert.equal(body.term, 'industry');
    });

    it('unsupported_policy_term: a purpose the rulebook does not hold, named', async () => {
      const body = await refused(
        {
          policy: parkingOffer({
            permission: [
              {
                action: 'use',
                constraint: [{ leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:Marketing' }],
              },
            ],
          }),
        },
        400,
        'unsupported_policy_term',
      );
      assert.equal(body.term, 'dpv:Marketing');
    });

    it('invalid_policy: not an Offer, or not ODRL at all', async () => {
      await refused(
        { policy: parkingOffer({ '@type': 'Agreement', assignee: world.transit.did }) },
        400,
        'invalid_policy',
      );
      await refused({ policy: 'use it' }, 400, 'invalid_policy');
    });

    it('invalid_policy: a target IRI longer than the register keeps (500 characters)', async () => {
      await refused(
        { policy: parkingOffer({ target: `https://data.example/${'a'.repeat(500)}` }) },
        400,
        'invalid_policy',
      );
    });

    it('invalid_policy: an assigner other than the provider', async () => {
      await refused({ policy: parkingOffer({ assigner: world.utility.did }) }, 400, 'invalid_policy');
    });

    it('invalid_request: a member the body does not have', async () => {
      await refused({ policy: parkingOffer(), provider: world.utility.did }, 400, 'invalid_request');
    });

    it('role_not_allowed: a member on no supply side (a data consumer) publishes no offer', async () => {
      await refused({ policy: parkingOffer() }, 403, 'role_not_allowed', world.transit);
    });

    it('not_offer_provider: a new version of another member’s offer', async () => {
      const offer = await publishOffer(world, world.city);
      const response = await as(world, world.utility).post(`/api/v1/offers/${offer.id}/versions`, {
        policy: parkingOffer(),
      });
      assert.equal(response.status, 403);
      assert.equal(response.body.code, 'not_offer_provider');
    });

    it('member_not_active: a suspended provider publishes nothing (signed statement; its connector is refused at the door)', async () => {
      const provider = world.utility;
      await decide(world, 'suspend', provider.did);
      try {
        const token = await provider.sign({
          iss: provider.did,
          aud: world.service.identity.did,
          iat: seconds(),
          jti: randomUUID(),
          action: 'publish-offer',
          policy: parkingOffer(),
        });
        const before = await offers();
        const response = await request(world.app)
          .post('/api/v1/offers')
          .send({ statement: token })
          .expect(403);
        assert.equal(response.body.code, 'member_not_active');
        assert.equal(await offers(), before);
      } finally {
        await decide(world, 'reinstate', provider.did);
      }
    });
  });
});
