/**
 * Agreements (issue 13 item 2; docs/agreements.md "Agreements" and "What is signed"): the
 * consumer accepts an offer, possibly narrowed; the agreement is proposed until BOTH parties
 * have signed its hash with their DIDs; an agreement concluded elsewhere (Dataspace Protocol)
 * is registered the same way; each party downloads a DataSharingAgreementCredential that the
 * service's own verify API accepts.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import { AgreementEntity } from '../../src/agreements/entities.js';
import { canonicalJson } from '../../src/json/canonical.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  type AgreementWorld,
  accept,
  agreementWorld,
  as,
  concluded,
  PARKING,
  parkingOffer,
  publishOffer,
  sign,
  statement,
} from './support.js';

describeEachDatabase('agreements', (fresh) => {
  let world: AgreementWorld;
  before(async function () {
    this.timeout(240_000);
    world = await agreementWorld(await fresh());
  });
  after(async () => world?.close());

  const agreements = () => world.service.dataSource.getRepository(AgreementEntity).count();

  describe('accepting an offer (ODRL 2.2 §2.1 Agreement: assigner, assignee, target)', () => {
    it('proposes an Agreement from the latest offer version: the provider as assigner, the consumer as assignee, its terms and their hash', async () => {
      const offer = await publishOffer(world, world.city);
      const proposed = await accept(world, world.transit, offer);
      assert.equal(proposed.status, 'proposed');
      assert.equal(proposed.provider, world.city.did);
      assert.equal(proposed.consumer, world.transit.did);
      const view = await as(world, world.transit).get(`/api/v1/agreements/${proposed.id}`);
      assert.equal(view.status, 200);
      const { terms } = view.body;
      assert.equal(terms.type, 'DataSharingAgreement');
      assert.equal(terms.service, world.service.identity.did);
      assert.equal(terms.id, proposed.id);
      assert.equal(terms.target, PARKING);
      assert.deepEqual(terms.offer, { id: offer.id, version: 1, hash: offer.hash });
      // The hash is SHA-256 of the terms' RFC 8785 canonical JSON: what each party signs.
      assert.equal(createHash('sha256').update(canonicalJson(terms)).digest('hex'), proposed.hash);
      assert.deepEqual(view.body.signed, { provider: false, consumer: false });
    });

    it('accepts a narrowed agreement (fewer actions, one purpose) that is within the offer', async () => {
      const offer = await publishOffer(world, world.city);
      const narrowed = {
        '@type': 'Agreement',
        target: PARKING,
        permission: [
          {
            action: 'read',
            constraint: [
              { leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:ServiceProvision' },
              { leftOperand: 'spatial', operator: 'eq', rightOperand: 'DE300' },
            ],
          },
        ],
        prohibition: [{ action: 'distribute' }],
      };
      const proposed = await accept(world, world.transit, offer, { policy: narrowed });
      assert.equal(proposed.status, 'proposed');
    });

    it('not_within_offer: an agreement that widens the offer (another purpose), naming the term; nothing written', async () => {
      const offer = await publishOffer(world, world.city);
      const before = await agreements();
      const wider = {
        '@type': 'Agreement',
        target: PARKING,
        permission: [
          {
            action: 'use',
            constraint: [
              { leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:ServiceUsageAnalytics' },
            ],
          },
        ],
      };
      const response = await as(world, world.transit).post('/api/v1/agreements', {
        offer: offer.id,
        version: offer.version,
        policy: wider,
      });
      assert.equal(response.status, 400, response.text);
      assert.equal(response.body.code, 'not_within_offer');
      assert.equal(typeof response.body.term, 'string');
      assert.equal(await agreements(), before);
    });

    it('offer_superseded: accepting a version a newer one replaced', async () => {
      const offer = await publishOffer(world, world.city);
      await as(world, world.city).post(`/api/v1/offers/${offer.id}/versions`, { policy: parkingOffer() });
      const response = await as(world, world.transit).post('/api/v1/agreements', {
        offer: offer.id,
        version: 1,
      });
      assert.equal(response.status, 409);
      assert.equal(response.body.code, 'offer_superseded');
    });

    it('role_not_allowed: a member on no demand side (a data provider) accepts no offer', async () => {
      const offer = await publishOffer(world, world.city);
      const response = await as(world, world.utility).post('/api/v1/agreements', {
        offer: offer.id,
        version: 1,
      });
      assert.equal(response.status, 403);
      assert.equal(response.body.code, 'role_not_allowed');
    });

    it('offer_not_found and invalid_period', async () => {
      const missing = await as(world, world.transit).post('/api/v1/agreements', {
        offer: 'offer-nope',
        version: 1,
      });
      assert.equal(missing.body.code, 'offer_not_found');
      const offer = await publishOffer(world, world.city);
      const past = await as(world, world.transit).post('/api/v1/agreements', {
        offer: offer.id,
        version: 1,
        endsAt: '2001-01-01T00:00:00Z',
      });
      assert.equal(past.status, 400);
      assert.equal(past.body.code, 'invalid_period');
    });

    it('invalid_request: an endsAt that is not a real date and time is refused, not rolled over, and nothing is stored', async () => {
      const offer = await publishOffer(world, world.city);
      const stored = () => world.service.dataSource.getRepository(AgreementEntity).count();
      const before = await stored();
      for (const endsAt of [
        '2030-02-30T00:00:00Z',
        '2030-04-31T00:00:00Z',
        '2030-13-01T00:00:00Z',
        '2030-06-01T24:00:00Z',
        '2030-06-01T12:60:00Z',
        '2030-06-01T12:00:60Z',
      ]) {
        const response = await as(world, world.transit).post('/api/v1/agreements', {
          offer: offer.id,
          version: 1,
          endsAt,
        });
        assert.equal(response.status, 400, endsAt);
        assert.equal(response.body.code, 'invalid_request', endsAt);
      }
      assert.equal(await stored(), before);
      const leapDay = await as(world, world.transit).post('/api/v1/agreements', {
        offer: offer.id,
        version: 1,
        endsAt: '2032-02-29T12:00:00+02:00',
      });
      assert.equal(leapDay.status, 201, leapDay.text);
      assert.equal(leapDay.body.endsAt, '2032-02-29T10:00:00.000Z');
    });
  });

  describe('signatures: active only when BOTH parties signed the hash', () => {
    it('one signature leaves it proposed; the second activates it', async () => {
      const offer = await publishOffer(world, world.city);
      const proposed = await accept(world, world.transit, offer);
      const first = await sign(world, world.transit, proposed);
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.status, 'proposed');
      assert.deepEqual(first.body.signed, { provider: false, consumer: true });
      const second = await sign(world, world.city, proposed);
      assert.equal(second.status, 200, second.text);
      assert.equal(second.body.status, 'active');
      assert.ok(second.body.activatedAt);
      const [activated] = await world.outbox('agreement.activated', proposed.id);
      assert.deepEqual(activated?.audience, [world.city.did, world.transit.did].sort());
    });

    it('not_a_party: a signature by a third member is refused', async () => {
      const offer = await publishOffer(world, world.city);
      const proposed = await accept(world, world.transit, offer);
      const response = await sign(world, world.institute, proposed);
      assert.equal(response.status, 403);
      assert.equal(response.body.code, 'not_a_party');
    });

    it('hash_mismatch: a signature over another hash is refused, and the agreement stays unsigned', async () => {
      const offer = await publishOffer(world, world.city);
      const proposed = await accept(world, world.transit, offer);
      const token = await statement(world, world.transit, proposed.id, 'ab'.repeat(32));
      const response = await request(world.app)
        .post(`/api/v1/agreements/${proposed.id}/signatures`)
        .send({ statement: token });
      assert.equal(response.status, 409);
      assert.equal(response.body.code, 'hash_mismatch');
      const row = await world.service.dataSource
        .getRepository(AgreementEntity)
        .findOneByOrFail({ id: proposed.id });
      assert.equal(row.consumerSignature, null);
    });

    it('jti_reused: a replayed signature statement; already_signed: a second signature of the same party', async () => {
      const offer = await publishOffer(world, world.city);
      const proposed = await accept(world, world.transit, offer);
      const token = await statement(world, world.transit, proposed.id, proposed.hash);
      await request(world.app)
        .post(`/api/v1/agreements/${proposed.id}/signatures`)
        .send({ statement: token })
        .expect(200);
      const replay = await request(world.app)
        .post(`/api/v1/agreements/${proposed.id}/signatures`)
        .send({ statement: token });
      assert.equal(replay.status, 409);
      assert.equal(replay.body.code, 'jti_reused');
      const twice = await sign(world, world.transit, proposed);
      assert.equal(twice.status, 409);
      assert.equal(twice.body.code, 'already_signed');
    });

    it('a party’s own connector may post its signature; a connector relaying another member’s statement is refused (not_a_party)', async () => {
      const offer = await publishOffer(world, world.city);
      const proposed = await accept(world, world.transit, offer);
      const relayed = await as(world, world.transit).post(`/api/v1/agreements/${proposed.id}/signatures`, {
        statement: await statement(world, world.city, proposed.id, proposed.hash),
      });
      assert.equal(relayed.status, 403);
      assert.equal(relayed.body.code, 'not_a_party');
      const own = await as(world, world.transit).post(`/api/v1/agreements/${proposed.id}/signatures`, {
        statement: await statement(world, world.transit, proposed.id, proposed.hash),
      });
      assert.equal(own.status, 200, own.text);
      assert.deepEqual(own.body.signed, { provider: false, consumer: true });
    });

    it('statement_mismatch: a statement naming another agreement or action', async () => {
      const offer = await publishOffer(world, world.city);
      const proposed = await accept(world, world.transit, offer);
      const other = await statement(world, world.transit, 'agreement-other', proposed.hash);
      const wrongAgreement = await request(world.app)
        .post(`/api/v1/agreements/${proposed.id}/signatures`)
        .send({ statement: other });
      assert.equal(wrongAgreement.body.code, 'statement_mismatch');
      const vote = await statement(world, world.transit, proposed.id, proposed.hash, { action: 'vote' });
      const wrongAction = await request(world.app)
        .post(`/api/v1/agreements/${proposed.id}/signatures`)
        .send({ statement: vote });
      assert.equal(wrongAction.body.code, 'statement_mismatch');
    });

    it('invalid_signature: a statement whose signature does not verify', async () => {
      const offer = await publishOffer(world, world.city);
      const proposed = await accept(world, world.transit, offer);
      const token = await statement(world, world.transit, proposed.id, proposed.hash);
      const [header, payload] = token.split('.');
      const forged = `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
      const response = await request(world.app)
        .post(`/api/v1/agreements/${proposed.id}/signatures`)
        .send({ statement: forged });
      assert.equal(response.status, 400);
      assert.equal(response.body.code, 'invalid_signature');
    });
  });

  describe('an agreement concluded elsewhere (Dataspace Protocol) is registered and signed by both', () => {
    it('registers an ODRL Agreement naming assigner, assignee and target; active once both signed', async () => {
      const uid = `urn:uuid:${randomUUID()}`;
      const dsp = {
        '@context': 'http://www.w3.org/ns/odrl.jsonld',
        '@type': 'Agreement',
        uid,
        assigner: world.utility.did,
        assignee: world.institute.did,
        target: 'urn:uuid:3dd1add8-4d2d-569e-d634-8394a8836a88',
        permission: [
          {
            action: 'use',
            constraint: [{ leftOperand: 'dateTime', operator: 'lteq', rightOperand: '2099-12-31T23:59:59Z' }],
          },
        ],
      };
      const response = await as(world, world.institute).post('/api/v1/agreements', { agreement: dsp });
      assert.equal(response.status, 201, response.text);
      assert.equal(response.body.origin, 'registered');
      assert.equal(response.body.terms.offer, null);
      for (const member of [world.utility, world.institute]) {
        const signed = await sign(world, member, response.body);
        assert.equal(signed.status, 200, signed.text);
      }
      const view = await as(world, world.utility).get(`/api/v1/agreements/${response.body.id}`);
      assert.equal(view.body.status, 'active');
    });

    it('not_a_party: a member registers an agreement between two others', async () => {
      const response = await as(world, world.transit).post('/api/v1/agreements', {
        agreement: {
          '@type': 'Agreement',
          uid: `urn:uuid:${randomUUID()}`,
          assigner: world.utility.did,
          assignee: world.institute.did,
          target: 'urn:uuid:3dd1add8-4d2d-569e-d634-8394a8836a88',
          permission: [{ action: 'use' }],
        },
      });
      assert.equal(response.status, 403);
      assert.equal(response.body.code, 'not_a_party');
    });
  });

  describe('the DataSharingAgreementCredential (one per party, with a status entry)', () => {
    it('each party downloads its credential; the service’s verify API accepts it (trusted issuer, schema, status)', async () => {
      const { agreement } = await concluded(world, world.city, world.transit);
      for (const member of [world.city, world.transit]) {
        const response = await as(world, member).get(`/api/v1/agreements/${agreement.id}/credential`);
        assert.equal(response.status, 200, response.text);
        const verified = await request(world.app)
          .post('/api/v1/credentials/verify')
          .send({ credential: response.body.credential })
          .expect(200);
        assert.equal(verified.body.verified, true, JSON.stringify(verified.body.checks));
        for (const name of ['trusted_issuer', 'status', 'schema']) {
          assert.equal(
            verified.body.checks.find((c: { check: string }) => c.check === name)?.result,
            'passed',
            name,
          );
        }
        const payload = JSON.parse(
          Buffer.from(response.body.credential.split('.')[1], 'base64url').toString(),
        );
        assert.equal(payload.vc.credentialSubject.id, member.did);
        assert.equal(payload.vc.credentialSubject.agreementHash, agreement.hash);
      }
    });

    it('not_a_party for a third member; no_credential before activation', async () => {
      const offer = await publishOffer(world, world.city);
      const proposed = await accept(world, world.transit, offer);
      const early = await as(world, world.transit).get(`/api/v1/agreements/${proposed.id}/credential`);
      assert.equal(early.status, 409);
      assert.equal(early.body.code, 'no_credential');
      const stranger = await as(world, world.institute).get(`/api/v1/agreements/${proposed.id}/credential`);
      assert.equal(stranger.status, 403);
      assert.equal(stranger.body.code, 'not_a_party');
    });
  });

  describe('termination (by either party, signed, with a reason)', () => {
    it('terminates at once: status terminated, the check refuses, credentials revoked, agreement.terminated to both', async () => {
      const { agreement } = await concluded(world, world.city, world.transit);
      const token = await statement(world, world.city, agreement.id, agreement.hash, {
        action: 'terminate-agreement',
        reason: 'the dataset is retired',
      });
      const response = await request(world.app)
        .post(`/api/v1/agreements/${agreement.id}/termination`)
        .send({ statement: token });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.status, 'terminated');
      assert.equal(response.body.endedBy, world.city.did);
      // The reason's free text stays with the parties (the agreement's view); the event and the
      // public audit log carry its code and hash only (docs/agreements.md "What the audit log shows").
      assert.equal(response.body.endReason, 'the dataset is retired');
      const reasonHash = createHash('sha256').update('the dataset is retired').digest('hex');
      const [event] = await world.outbox('agreement.terminated', agreement.id);
      assert.equal(event?.data.reason, undefined);
      assert.equal(event?.data.reasonCode, 'terminated_by_party');
      assert.equal(event?.data.reasonHash, reasonHash);
      const log = await request(world.app).get('/api/v1/audit').query({ limit: 500 }).expect(200);
      const entry = (
        log.body.items as { kind: string; subject: string; data: Record<string, unknown> }[]
      ).find((item) => item.kind === 'agreement.terminated' && item.subject === agreement.id);
      assert.equal(entry?.data.reasonHash, reasonHash);
      assert.ok(!JSON.stringify(log.body).includes('the dataset is retired'));
      const credential = await as(world, world.transit).get(`/api/v1/agreements/${agreement.id}/credential`);
      const verified = await request(world.app)
        .post('/api/v1/credentials/verify')
        .send({ credential: credential.body.credential });
      assert.equal(verified.body.checks.find((c: { check: string }) => c.check === 'status').code, 'revoked');
      const again = await request(world.app)
        .post(`/api/v1/agreements/${agreement.id}/termination`)
        .send({
          statement: await statement(world, world.transit, agreement.id, agreement.hash, {
            action: 'terminate-agreement',
            reason: 'twice',
          }),
        });
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'already_ended');
    });

    it('invalid_request: a termination without a reason', async () => {
      const { agreement } = await concluded(world, world.city, world.transit);
      const token = await statement(world, world.transit, agreement.id, agreement.hash, {
        action: 'terminate-agreement',
      });
      const response = await request(world.app)
        .post(`/api/v1/agreements/${agreement.id}/termination`)
        .send({ statement: token });
      assert.equal(response.status, 400);
      assert.equal(response.body.code, 'invalid_request');
    });
  });
});
