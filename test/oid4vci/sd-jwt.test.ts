/**
 * OpenID4VCI 1.0 Appendix A.3 (`dc+sd-jwt`) and §8.2 batch issuance, with
 * `@openid4vc/openid4vci` as the wallet: the offer by value, two wallet keys named by `jwk`,
 * one SD-JWT VC per key (each bound to its key in `cnf`), verified by the service's verify
 * API, and suspended with the member by the board's decision. A `jwt_vc_json` proof may also
 * name the member's own key by `jwk`.
 */
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { describeEachDatabase } from '../support/databases.js';
import { cNonce, decide, keyProof, newHolder, openid4vciWallet, type World, world } from './support.js';

const SD_JWT = 'MembershipCredential_dc+sd-jwt';

describeEachDatabase('OpenID4VCI 1.0: SD-JWT VC issuance in a batch', (fresh) => {
  let w: World;

  before(async function () {
    this.timeout(60_000);
    w = await world(await fresh());
  });
  after(async () => w?.running.close());

  const verify = async (credential: string) =>
    (await request(w.app).post('/api/v1/credentials/verify').send({ credential }).expect(200)).body;

  it('publishes the dc+sd-jwt configuration with its vct and jwk binding', async () => {
    const metadata = (await request(w.app).get('/.well-known/openid-credential-issuer').expect(200)).body;
    const configuration = metadata.credential_configurations_supported[SD_JWT];
    assert.equal(configuration.format, 'dc+sd-jwt');
    assert.equal(configuration.vct, `${w.issuer}/vct/membership`);
    assert.deepEqual(configuration.cryptographic_binding_methods_supported, ['jwk']);
  });

  it('issues one SD-JWT VC per wallet key from an offer by value; a suspension reaches every one', async function () {
    this.timeout(30_000);
    const keys = [await newHolder(), await newHolder()];
    const offered = await w.service.oid4vci.offerTo(w.member.did, { configurations: [SD_JWT] });
    const wallet = openid4vciWallet(w.member, keys);
    const offer = await wallet.resolveCredentialOffer(offered.byValue);
    const issuerMetadata = await wallet.resolveIssuerMetadata(offer.credential_issuer);
    const { accessTokenResponse } = await wallet.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer: offer,
      issuerMetadata,
      ...(offered.txCode ? { txCode: offered.txCode } : {}),
    });
    const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
    const proofs = [];
    for (const key of keys) {
      proofs.push(
        (
          await wallet.createCredentialRequestJwtProof({
            issuerMetadata,
            credentialConfigurationId: SD_JWT,
            nonce: c_nonce,
            signer: { method: 'jwk', publicJwk: key.publicJwk as never, alg: 'EdDSA' },
          })
        ).jwt,
      );
    }
    const response = await wallet.retrieveCredentials({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      credentialConfigurationId: SD_JWT,
      proofs: { jwt: proofs },
    });
    const credentials = (
      response.credentialResponse as { credentials: { credential: string }[] }
    ).credentials.map((c) => c.credential);
    assert.equal(credentials.length, 2);
    for (const [index, credential] of credentials.entries()) {
      const payload = decodeJwt(credential.split('~')[0] as string);
      assert.equal(payload.sub, w.member.did);
      assert.deepEqual((payload.cnf as { jwk: { x: string } }).jwk.x, keys[index]?.publicJwk.x);
      const result = await verify(credential);
      assert.equal(result.verified, true, JSON.stringify(result.checks));
    }

    await decide(w, 'suspend', w.member.did);
    for (const credential of credentials) {
      const result = await verify(credential);
      assert.equal(result.verified, false);
      const status = result.checks.find((c: { result: string }) => c.result === 'failed');
      assert.equal(status?.code, 'suspended', JSON.stringify(result.checks));
    }
    // A suspended member gets no more credentials.
    const again = await request(w.app)
      .post('/oid4vci/credential')
      .set('Authorization', `Bearer ${accessTokenResponse.access_token}`)
      .send({
        credential_configuration_id: SD_JWT,
        proofs: {
          jwt: [
            await keyProof(keys[0] as never, w.issuer, {
              nonce: await cNonce(w.app),
              header: { jwk: keys[0]?.publicJwk },
            }),
          ],
        },
      })
      .expect(400);
    assert.equal(again.body.error, 'credential_request_denied');
    await decide(w, 'reinstate', w.member.did);
  });

  it("accepts a jwt_vc_json proof that names the member DID's own key by jwk", async () => {
    const offered = await w.service.oid4vci.offerTo(w.member.did, { txCode: false });
    const code = (
      offered.offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'] as Record<string, string>
    )['pre-authorized_code'] as string;
    const token = await request(w.app)
      .post('/oid4vci/token')
      .type('form')
      .send({
        grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
        'pre-authorized_code': code,
      })
      .expect(200);
    const proof = await keyProof(w.member, w.issuer, {
      nonce: await cNonce(w.app),
      header: { jwk: w.member.publicJwk },
    });
    const issued = await request(w.app)
      .post('/oid4vci/credential')
      .set('Authorization', `Bearer ${token.body.access_token}`)
      .send({ credential_configuration_id: 'MembershipCredential_jwt_vc_json', proofs: { jwt: [proof] } })
      .expect(200);
    assert.equal(decodeJwt(issued.body.credentials[0].credential).sub, w.member.did);
  });
});
