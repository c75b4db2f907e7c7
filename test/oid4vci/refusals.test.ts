/**
 * Every refusal of the issuer, each with its code (docs/oid4vci.md): the token endpoint
 * (OpenID4VCI 1.0 §6, RFC 6749 §5.2), key proofs and c_nonces (§8.2.1.1, §7, §8.3.1.2), the
 * credential request (§8.2, §8.3.1.2) and the notification endpoint (§11).
 */
import assert from 'node:assert/strict';
import { base64url } from 'jose';
import request from 'supertest';
import { databaseNonceStore } from '../../src/credentials/nonce-store.js';
import { Oid4vciOfferEntity } from '../../src/oid4vci/entities.js';
import { CNonces } from '../../src/oid4vci/nonces.js';
import { issuerSecrets } from '../../src/oid4vci/secrets.js';
import { describeEachDatabase } from '../support/databases.js';
import { TEST_SECRET } from '../support/service.js';
import {
  accessToken,
  applicantOffer,
  apply,
  cNonce,
  keyProof,
  newHolder,
  preAuthorizedCode,
  tokenRequest,
  type World,
  world,
} from './support.js';

const JWT_VC = 'MembershipCredential_jwt_vc_json';
const SD_JWT = 'MembershipCredential_dc+sd-jwt';

describeEachDatabase('OpenID4VCI 1.0 refusals', (fresh) => {
  let w: World;
  let token: string;

  before(async function () {
    this.timeout(60_000);
    w = await world(await fresh());
    token = await accessToken(w);
  });
  after(async () => w?.running.close());

  const credentialRequest = (body: Record<string, unknown>, bearer = token) =>
    request(w.app).post('/oid4vci/credential').set('Authorization', `Bearer ${bearer}`).send(body);

  /** A credential request for JWT_VC with one proof; asserts the status and error code. */
  async function refused(proof: string, code: string, configuration = JWT_VC) {
    const response = await credentialRequest({
      credential_configuration_id: configuration,
      proofs: { jwt: [proof] },
    }).expect(400);
    assert.equal(response.body.error, code, response.body.error_description);
    return response.body.error_description as string;
  }

  describe('§6 token endpoint: the pre-authorized code grant', () => {
    it('refuses a pre-authorized code used before (invalid_grant)', async () => {
      const offered = await w.service.oid4vci.offerTo(w.member.did);
      const code = preAuthorizedCode(offered.offer as never);
      await tokenRequest(w.app, code, offered.txCode).expect(200);
      const again = await tokenRequest(w.app, code, offered.txCode).expect(400);
      assert.equal(again.body.error, 'invalid_grant');
      assert.match(again.body.error_description, /used before/);
    });

    it('refuses a wrong tx_code (invalid_grant) and kills the code after five wrong tries', async () => {
      const offered = await w.service.oid4vci.offerTo(w.member.did);
      const code = preAuthorizedCode(offered.offer as never);
      const wrong = offered.txCode === '000000' ? '000001' : '000000';
      for (let left = 4; left >= 0; left--) {
        const response = await tokenRequest(w.app, code, wrong).expect(400);
        assert.equal(response.body.error, 'invalid_grant');
        assert.match(
          response.body.error_description,
          left > 0 ? new RegExp(`${left} tr`) : /no tries are left/,
        );
      }
      const right = await tokenRequest(w.app, code, offered.txCode).expect(400);
      assert.equal(right.body.error, 'invalid_grant');
      assert.match(right.body.error_description, /too many wrong tx_codes/);
    });

    it('compares at most five tx_code guesses however many arrive at once', async () => {
      const offered = await w.service.oid4vci.offerTo(w.member.did);
      const code = preAuthorizedCode(offered.offer as never);
      const wrong = (i: number) => String(i).padStart(6, '0');
      const guesses = Array.from({ length: 20 }, (_, i) => wrong(i)).filter(
        (guess) => guess !== offered.txCode,
      );
      const answers = await Promise.all(guesses.map((guess) => tokenRequest(w.app, code, guess)));
      for (const answer of answers) assert.equal(answer.body.error, 'invalid_grant');
      const compared = answers.filter((answer) => /tx_code is wrong/.test(answer.body.error_description));
      assert.equal(compared.length, 5, answers.map((answer) => answer.body.error_description).join('\n'));
      const right = await tokenRequest(w.app, code, offered.txCode).expect(400);
      assert.match(right.body.error_description, /too many wrong tx_codes/);
    });

    it('accepts the right tx_code after four wrong ones (the right guess gives its try back)', async () => {
      const offered = await w.service.oid4vci.offerTo(w.member.did);
      const code = preAuthorizedCode(offered.offer as never);
      const wrong = offered.txCode === '000000' ? '000001' : '000000';
      for (let i = 0; i < 4; i++) await tokenRequest(w.app, code, wrong).expect(400);
      await tokenRequest(w.app, code, offered.txCode).expect(200);
    });

    it('refuses a request without the tx_code the offer asks for (invalid_request)', async () => {
      const offered = await w.service.oid4vci.offerTo(w.member.did);
      const response = await tokenRequest(w.app, preAuthorizedCode(offered.offer as never)).expect(400);
      assert.equal(response.body.error, 'invalid_request');
    });

    it('refuses a tx_code for an offer that has none (invalid_request)', async () => {
      const offered = await w.service.oid4vci.offerTo(w.member.did, { txCode: false });
      const response = await tokenRequest(w.app, preAuthorizedCode(offered.offer as never), '123456').expect(
        400,
      );
      assert.equal(response.body.error, 'invalid_request');
    });

    it('refuses an expired offer (invalid_grant), and no longer serves it by reference', async () => {
      const offered = await w.service.oid4vci.offerTo(w.member.did);
      await w.service.dataSource
        .createQueryBuilder()
        .update(Oid4vciOfferEntity)
        .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
        .where('id = :id', { id: offered.id })
        .execute();
      const response = await tokenRequest(
        w.app,
        preAuthorizedCode(offered.offer as never),
        offered.txCode,
      ).expect(400);
      assert.equal(response.body.error, 'invalid_grant');
      assert.match(response.body.error_description, /expired/);
      const byReference = await request(w.app).get(new URL(offered.offerUri).pathname).expect(404);
      assert.equal(byReference.body.error, 'invalid_request');
    });

    it('refuses an unknown pre-authorized code (invalid_grant) and another grant type (unsupported_grant_type)', async () => {
      const unknown = await tokenRequest(w.app, 'not-a-code', '123456').expect(400);
      assert.equal(unknown.body.error, 'invalid_grant');
      const other = await request(w.app)
        .post('/oid4vci/token')
        .type('form')
        .send({ grant_type: 'client_credentials' })
        .expect(400);
      assert.equal(other.body.error, 'unsupported_grant_type');
    });
  });

  describe('§8.2.1.1 jwt key proofs and §7 c_nonces', () => {
    it('accepts a key proof once: the same proof again is refused (invalid_proof)', async () => {
      const proof = await keyProof(w.member, w.issuer, { nonce: await cNonce(w.app) });
      await credentialRequest({ credential_configuration_id: JWT_VC, proofs: { jwt: [proof] } }).expect(200);
      assert.match(await refused(proof, 'invalid_proof'), /used before/);
    });

    it('refuses a c_nonce spent by an earlier request (invalid_nonce)', async () => {
      const nonce = await cNonce(w.app);
      await credentialRequest({
        credential_configuration_id: JWT_VC,
        proofs: { jwt: [await keyProof(w.member, w.issuer, { nonce })] },
      }).expect(200);
      // Another proof (an EdDSA proof of the same second would be the same string).
      const iat = Math.floor(Date.now() / 1000) - 1;
      await refused(await keyProof(w.member, w.issuer, { nonce, iat }), 'invalid_nonce');
    });

    it('refuses a stale c_nonce (invalid_nonce)', async () => {
      const store = databaseNonceStore(w.service.dataSource);
      const past = new CNonces(issuerSecrets(TEST_SECRET), store, () => new Date(Date.now() - 3600_000));
      const stale = past.issue().c_nonce;
      assert.match(
        await refused(await keyProof(w.member, w.issuer, { nonce: stale }), 'invalid_nonce'),
        /expired/,
      );
    });

    it('refuses a c_nonce of another issuer (invalid_nonce)', async () => {
      const store = databaseNonceStore(w.service.dataSource);
      const foreign = new CNonces(issuerSecrets('1e'.repeat(32)), store, () => new Date()).issue().c_nonce;
      assert.match(
        await refused(await keyProof(w.member, w.issuer, { nonce: foreign }), 'invalid_nonce'),
        /not issued by this issuer/,
      );
    });

    it('refuses a key proof without a c_nonce (invalid_nonce)', async () => {
      await refused(await keyProof(w.member, w.issuer), 'invalid_nonce');
    });

    it('refuses a key proof for another audience (invalid_proof)', async () => {
      const proof = await keyProof(w.member, w.issuer, {
        nonce: await cNonce(w.app),
        aud: 'https://other.example',
      });
      assert.match(await refused(proof, 'invalid_proof'), /aud/);
    });

    it('refuses a stale key proof (invalid_proof)', async () => {
      const iat = Math.floor(Date.now() / 1000) - 3600;
      const proof = await keyProof(w.member, w.issuer, { nonce: await cNonce(w.app), iat });
      assert.match(await refused(proof, 'invalid_proof'), /stale/);
    });

    it('refuses a private key in the jwk header (invalid_proof)', async () => {
      const proof = await keyProof(w.member, w.issuer, {
        nonce: await cNonce(w.app),
        header: { jwk: w.member.privateJwk },
      });
      assert.match(await refused(proof, 'invalid_proof', SD_JWT), /private key/);
    });

    it('refuses alg none (invalid_proof)', async () => {
      const header = base64url.encode(
        JSON.stringify({ alg: 'none', typ: 'openid4vci-proof+jwt', kid: w.member.kid }),
      );
      const payload = base64url.encode(
        JSON.stringify({ aud: w.issuer, iat: Math.floor(Date.now() / 1000), nonce: await cNonce(w.app) }),
      );
      assert.match(await refused(`${header}.${payload}.`, 'invalid_proof'), /not a compact JWS|alg/);
    });

    it('refuses a proof of another type (invalid_proof)', async () => {
      const proof = await keyProof(w.member, w.issuer, {
        nonce: await cNonce(w.app),
        header: { kid: w.member.kid, typ: 'JWT' },
      });
      assert.match(await refused(proof, 'invalid_proof'), /typ/);
    });

    it('refuses a proof whose signature does not verify (invalid_proof)', async () => {
      const proof = await keyProof(w.member, w.issuer, { nonce: await cNonce(w.app) });
      const [h, p, s] = proof.split('.') as [string, string, string];
      const flipped = Buffer.from(s, 'base64url');
      flipped[0] = (flipped[0] as number) ^ 1;
      assert.match(await refused(`${h}.${p}.${flipped.toString('base64url')}`, 'invalid_proof'), /signature/);
    });

    it("refuses a jwt_vc_json proof by a key that is not the member DID's (invalid_proof)", async () => {
      const other = await newHolder();
      const proof = await keyProof(other, w.issuer, { nonce: await cNonce(w.app) });
      assert.match(await refused(proof, 'invalid_proof'), /not by the member/);
    });
  });

  describe('§8.2 the credential request', () => {
    it('refuses a configuration the offer did not grant (credential_request_denied)', async () => {
      const offered = await w.service.oid4vci.offerTo(w.member.did, { configurations: [SD_JWT] });
      const granted = await tokenRequest(
        w.app,
        preAuthorizedCode(offered.offer as never),
        offered.txCode,
      ).expect(200);
      const proof = await keyProof(w.member, w.issuer, { nonce: await cNonce(w.app) });
      const response = await credentialRequest(
        { credential_configuration_id: JWT_VC, proofs: { jwt: [proof] } },
        granted.body.access_token,
      ).expect(400);
      assert.equal(response.body.error, 'credential_request_denied');
    });

    it('refuses a configuration the issuer does not have (unknown_credential_configuration)', async () => {
      const proof = await keyProof(w.member, w.issuer, { nonce: await cNonce(w.app) });
      await refused(proof, 'unknown_credential_configuration', 'UniversityDegree_jwt_vc_json');
    });

    it('refuses a request without an access token, or with an unknown one (invalid_token, 401)', async () => {
      const none = await request(w.app).post('/oid4vci/credential').send({}).expect(401);
      assert.equal(none.body.error, 'invalid_token');
      assert.match(none.headers['www-authenticate'] ?? '', /^Bearer error="invalid_token"/);
      const unknown = await credentialRequest({}, 'A'.repeat(43)).expect(401);
      assert.equal(unknown.body.error, 'invalid_token');
    });

    it('refuses the pre-1.0 proof parameter and a request without proofs', async () => {
      const proof = await keyProof(w.member, w.issuer, { nonce: await cNonce(w.app) });
      const single = await credentialRequest({
        credential_configuration_id: JWT_VC,
        proof: { proof_type: 'jwt', jwt: proof },
      }).expect(400);
      assert.equal(single.body.error, 'invalid_credential_request');
      const without = await credentialRequest({ credential_configuration_id: JWT_VC }).expect(400);
      assert.equal(without.body.error, 'invalid_proof');
    });

    it('refuses more key proofs than the batch size (invalid_credential_request)', async () => {
      const metadata = (await request(w.app).get('/.well-known/openid-credential-issuer')).body;
      const size = metadata.batch_credential_issuance.batch_size as number;
      const nonce = await cNonce(w.app);
      const proofs = await Promise.all(
        Array.from({ length: size + 1 }, (_, i) =>
          keyProof(w.member, w.issuer, { nonce, iat: Math.floor(Date.now() / 1000) - i }),
        ),
      );
      const response = await credentialRequest({
        credential_configuration_id: JWT_VC,
        proofs: { jwt: proofs },
      }).expect(400);
      assert.equal(response.body.error, 'invalid_credential_request');
    });
  });

  describe('§11 notification endpoint', () => {
    it('refuses an unknown notification_id (invalid_notification_id) and an unknown event (invalid_notification_request)', async () => {
      const unknown = await request(w.app)
        .post('/oid4vci/notification')
        .set('Authorization', `Bearer ${token}`)
        .send({ notification_id: 'no-such-id', event: 'credential_accepted' })
        .expect(400);
      assert.equal(unknown.body.error, 'invalid_notification_id');
      const event = await request(w.app)
        .post('/oid4vci/notification')
        .set('Authorization', `Bearer ${token}`)
        .send({ notification_id: 'no-such-id', event: 'credential_liked' })
        .expect(400);
      assert.equal(event.body.error, 'invalid_notification_request');
    });
  });

  describe("the applicant's offer (management API)", () => {
    it('is refused to a DID that is not the applicant (not_applicant)', async () => {
      const response = await applicantOffer(w, 403, await newHolder());
      assert.equal(response.body.code, 'not_applicant');
    });

    it('is refused for an application the board has not approved (not_admitted)', async () => {
      const applicant = await newHolder();
      const applied = await apply(w.app, w.service.identity.did, w.register, applicant);
      const response = await applicantOffer({ ...w, applicationId: applied.body.id }, 409, applicant);
      assert.equal(response.body.code, 'not_admitted');
    });
  });
});
