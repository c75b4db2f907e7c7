/**
 * OpenID4VCI 1.0 with the OpenWallet Foundation's `@openid4vc/openid4vci` 0.4.6 as the wallet,
 * a real client of the running service over HTTP: it resolves the offer by reference, the
 * issuer and authorization server metadata, redeems the pre-authorized code with the
 * transaction code, fetches a c_nonce, signs the key proof and receives the
 * MembershipCredential, which then verifies with the service's own verify API.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { describeEachDatabase } from '../support/databases.js';
import { applicantOffer, openid4vciWallet, type World, world } from './support.js';

describeEachDatabase('OpenID4VCI 1.0: a wallet obtains the MembershipCredential', (fresh) => {
  let w: World;

  before(async function () {
    this.timeout(60_000);
    w = await world(await fresh());
  });
  after(async () => w?.running.close());

  describe('§12.2 credential issuer metadata', () => {
    it('publishes the issuer, its endpoints and the configurations with display names in English and German', async () => {
      const metadata = (await request(w.app).get('/.well-known/openid-credential-issuer').expect(200)).body;
      assert.equal(metadata.credential_issuer, w.issuer);
      assert.equal(metadata.credential_endpoint, `${w.issuer}/oid4vci/credential`);
      assert.equal(metadata.nonce_endpoint, `${w.issuer}/oid4vci/nonce`);
      assert.equal(metadata.notification_endpoint, `${w.issuer}/oid4vci/notification`);
      assert.deepEqual(metadata.authorization_servers, [w.issuer]);
      const jwt = metadata.credential_configurations_supported.MembershipCredential_jwt_vc_json;
      assert.equal(jwt.format, 'jwt_vc_json');
      assert.deepEqual(jwt.credential_definition.type, ['VerifiableCredential', 'MembershipCredential']);
      assert.deepEqual(jwt.proof_types_supported.jwt.proof_signing_alg_values_supported, ['ES256', 'EdDSA']);
      assert.deepEqual(
        jwt.credential_metadata.display.map((d: { locale: string }) => d.locale),
        ['en', 'de'],
      );
      assert.ok(metadata.batch_credential_issuance.batch_size > 1);
    });

    it('is its own authorization server for the pre-authorized code grant (RFC 8414)', async () => {
      const as = (await request(w.app).get('/.well-known/oauth-authorization-server').expect(200)).body;
      assert.equal(as.issuer, w.issuer);
      assert.equal(as.token_endpoint, `${w.issuer}/oid4vci/token`);
      assert.ok(as.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:pre-authorized_code'));
      assert.equal(as['pre-authorized_grant_anonymous_access_supported'], true);
    });
  });

  describe('§3.5 pre-authorized code flow, end to end', () => {
    it('issues the member its MembershipCredential, bound to its DID, which the verify API accepts', async function () {
      this.timeout(30_000);
      const offered = (await applicantOffer(w)).body;
      assert.match(offered.links.byReference, /^openid-credential-offer:\/\/\?credential_offer_uri=/);
      assert.match(offered.qrCodeSvg, /^<svg/);
      assert.match(offered.txCode, /^\d{6}$/);

      const wallet = openid4vciWallet(w.member);
      const offer = await wallet.resolveCredentialOffer(offered.links.byReference);
      assert.deepEqual(
        offer.credential_configuration_ids,
        offered.credentialOffer.credential_configuration_ids,
      );
      const issuerMetadata = await wallet.resolveIssuerMetadata(offer.credential_issuer);
      const { accessTokenResponse } = await wallet.retrievePreAuthorizedCodeAccessTokenFromOffer({
        credentialOffer: offer,
        issuerMetadata,
        txCode: offered.txCode,
      });
      const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
      const configurationId = 'MembershipCredential_jwt_vc_json';
      const proof = await wallet.createCredentialRequestJwtProof({
        issuerMetadata,
        credentialConfigurationId: configurationId,
        nonce: c_nonce,
        signer: { method: 'did', didUrl: w.member.kid, alg: 'EdDSA' },
      });
      const response = await wallet.retrieveCredentials({
        issuerMetadata,
        accessToken: accessTokenResponse.access_token,
        credentialConfigurationId: configurationId,
        proofs: { jwt: [proof.jwt] },
      });
      const body = response.credentialResponse as {
        credentials: { credential: string }[];
        notification_id: string;
      };
      assert.equal(body.credentials.length, 1);
      const credential = body.credentials[0]?.credential as string;
      const payload = decodeJwt(credential);
      assert.equal(payload.sub, w.member.did);
      assert.equal(payload.iss, w.service.identity.did);
      assert.equal(
        (payload.vc as { credentialSubject: { legalName: string } }).credentialSubject.legalName,
        'City of Example',
      );

      const verified = await request(w.app)
        .post('/api/v1/credentials/verify')
        .send({ credential })
        .expect(200);
      assert.equal(verified.body.verified, true, JSON.stringify(verified.body.checks));

      await wallet.sendNotification({
        issuerMetadata,
        accessToken: accessTokenResponse.access_token,
        notification: {
          notificationId: body.notification_id,
          event: 'credential_accepted',
          eventDescription: 'stored \u202e in the wallet',
        },
      });
      const audited = (await w.service.audit.page({ limit: 1000 })).items.filter(
        (entry) => entry.kind === 'oid4vci.credential.accepted',
      );
      assert.deepEqual(
        audited.map((entry) => [entry.actor, entry.subject]),
        [[w.member.did, body.notification_id]],
      );
      // The public log holds the wallet's free text only as its hash.
      assert.equal(JSON.stringify(audited).includes('in the wallet'), false);
      assert.equal(
        (audited[0]?.data as { descriptionHash?: string } | undefined)?.descriptionHash,
        createHash('sha256').update('stored \u202e in the wallet', 'utf8').digest('hex'),
      );
    });
  });
});
