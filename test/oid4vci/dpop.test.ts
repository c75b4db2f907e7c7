/**
 * RFC 9449 (DPoP) at the issuer, as the OpenID4VC High Assurance Interoperability Profile asks:
 * a token request with a DPoP proof gets a token bound to the proof's key (`token_type` DPoP),
 * which the credential and notification endpoints accept only with a proof by that key naming
 * the token (`ath`). Every refusal asserts its code. With OID4VCI_REQUIRE_DPOP the token endpoint
 * refuses requests without a proof, and both the project's holder wallet and the OpenWallet
 * Foundation's `@openid4vc/openid4vci` (with its DPoP support) still receive credentials.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { receiveCredential } from '../../src/wallet/index.js';
import { newWallet } from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { ath, type DpopKey, dpopKey, dpopProof } from './dpop-support.js';
import {
  applicantOffer,
  cNonce,
  type Holder,
  keyProof,
  newHolder,
  openid4vciWallet,
  preAuthorizedCode,
  tokenRequest,
  type World,
  world,
} from './support.js';

const JWT_VC = 'MembershipCredential_jwt_vc_json';
const SD_JWT = 'MembershipCredential_dc+sd-jwt';

/** An unsigned token (`alg` none) or one MACed with a shared secret: never a DPoP proof. */
function unsignedProof(key: DpopKey, htu: string, alg: 'none' | 'HS256'): string {
  const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg, jwk: key.publicJwk })).toString(
    'base64url',
  );
  const payload = Buffer.from(
    JSON.stringify({
      htm: 'POST',
      htu,
      iat: Math.floor(Date.now() / 1000),
      jti: randomBytes(16).toString('base64url'),
    }),
  ).toString('base64url');
  return `${header}.${payload}.${alg === 'none' ? '' : randomBytes(32).toString('base64url')}`;
}

function assertRefused(
  response: { status: number; body: { error?: string }; headers: Record<string, string> },
  status: number,
  code: string,
) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body.error, code);
  if (code === 'invalid_dpop_proof')
    assert.match(response.headers['www-authenticate'] ?? '', /^DPoP error="invalid_dpop_proof"/);
}

describeEachDatabase('RFC 9449 DPoP at the OpenID4VCI issuer', (fresh) => {
  let w: World;
  let tokenUrl: string;
  let credentialUrl: string;
  let notificationUrl: string;

  before(async function () {
    this.timeout(60_000);
    w = await world(await fresh());
    tokenUrl = `${w.issuer}/oid4vci/token`;
    credentialUrl = `${w.issuer}/oid4vci/credential`;
    notificationUrl = `${w.issuer}/oid4vci/notification`;
  });
  after(async () => w?.running.close());

  /** A token request for a code that names no offer: the proof is checked before the grant. */
  const withProof = (proof: string) => tokenRequest(w.app, 'no-such-code').set('DPoP', proof);

  it('advertises dpop_signing_alg_values_supported in the authorization server metadata (§5.1)', async () => {
    const as = (await request(w.app).get('/.well-known/oauth-authorization-server').expect(200)).body;
    assert.deepEqual(as.dpop_signing_alg_values_supported, ['ES256', 'EdDSA']);
  });

  describe('§4.3 the token endpoint checks the proof', () => {
    let key: DpopKey;
    before(async () => {
      key = await dpopKey();
    });

    it('refuses a proof with another htm', async () =>
      assertRefused(
        await withProof(await dpopProof(key, { htu: tokenUrl, htm: 'GET' })),
        400,
        'invalid_dpop_proof',
      ));
    it('refuses a proof for another htu', async () =>
      assertRefused(
        await withProof(await dpopProof(key, { htu: credentialUrl })),
        400,
        'invalid_dpop_proof',
      ));
    it('refuses a stale proof (iat too old)', async () =>
      assertRefused(
        await withProof(await dpopProof(key, { htu: tokenUrl, iat: Math.floor(Date.now() / 1000) - 600 })),
        400,
        'invalid_dpop_proof',
      ));
    it('refuses a proof issued in the future', async () =>
      assertRefused(
        await withProof(await dpopProof(key, { htu: tokenUrl, iat: Math.floor(Date.now() / 1000) + 600 })),
        400,
        'invalid_dpop_proof',
      ));
    it('refuses a proof whose jwk holds the private key', async () =>
      assertRefused(
        await withProof(await dpopProof(key, { htu: tokenUrl, header: { jwk: key.privateJwk } })),
        400,
        'invalid_dpop_proof',
      ));
    it('refuses a proof of another typ', async () =>
      assertRefused(
        await withProof(await dpopProof(key, { htu: tokenUrl, header: { typ: 'JWT' } })),
        400,
        'invalid_dpop_proof',
      ));
    it('refuses alg none', async () =>
      assertRefused(await withProof(unsignedProof(key, tokenUrl, 'none')), 400, 'invalid_dpop_proof'));
    it('refuses alg HS256', async () =>
      assertRefused(await withProof(unsignedProof(key, tokenUrl, 'HS256')), 400, 'invalid_dpop_proof'));
    it('refuses a proof signed by another key than its jwk', async () => {
      const other = await dpopKey();
      assertRefused(
        await withProof(await dpopProof(key, { htu: tokenUrl, header: { jwk: other.publicJwk } })),
        400,
        'invalid_dpop_proof',
      );
    });
    it('refuses two DPoP headers', async () => {
      const proof = await dpopProof(key, { htu: tokenUrl });
      assertRefused(await withProof(`${proof}, ${proof}`), 400, 'invalid_dpop_proof');
    });
    it('refuses htu spellings only a lenient URL parser equates (dot segments, backslashes, spaces, a port with a leading zero), takes the scheme and host in any case (RFC 3986 §6.2.2.1)', async () => {
      const { host, pathname } = new URL(tokenUrl);
      const [name, port] = host.split(':') as [string, string];
      for (const htu of [
        `http://${host}/oid4vci/x/../token`,
        `http://${host}/oid4vci/./token`,
        `http://${host}\\oid4vci\\token`,
        ` ${tokenUrl}`,
        `${tokenUrl} `,
        `http://${name}:0${port}${pathname}`,
      ])
        assertRefused(await withProof(await dpopProof(key, { htu })), 400, 'invalid_dpop_proof');
      // Passes the proof check and reaches the grant (no such code).
      assertRefused(
        await withProof(await dpopProof(key, { htu: `HTTP://${host.toUpperCase()}${pathname}` })),
        400,
        'invalid_grant',
      );
    });
    it('refuses a replayed jti (§11.1)', async () => {
      const proof = await dpopProof(key, { htu: tokenUrl });
      // The first use passes the proof checks and reaches the grant.
      assertRefused(await withProof(proof), 400, 'invalid_grant');
      assertRefused(await withProof(proof), 400, 'invalid_dpop_proof');
    });
    it('spends no code when the proof is refused, and binds the token to the key of a good one', async () => {
      const offered = (await applicantOffer(w)).body;
      const code = preAuthorizedCode(offered.credentialOffer);
      assertRefused(
        await tokenRequest(w.app, code, offered.txCode).set(
          'DPoP',
          await dpopProof(key, { htu: tokenUrl, htm: 'PUT' }),
        ),
        400,
        'invalid_dpop_proof',
      );
      // §4.3: htu is compared without its query and fragment.
      const token = await tokenRequest(w.app, code, offered.txCode)
        .set('DPoP', await dpopProof(key, { htu: `${tokenUrl}?x=1#y` }))
        .expect(200);
      assert.equal(token.body.token_type, 'DPoP');
    });
  });

  describe('§7 the credential and notification endpoints take a DPoP-bound token with its proof', () => {
    let key: DpopKey;
    let token: string;
    const credentialRequest = (authorization: string, proof?: string) => {
      const req = request(w.app).post('/oid4vci/credential').set('Authorization', authorization);
      return proof === undefined ? req.send({}) : req.set('DPoP', proof).send({});
    };

    before(async () => {
      key = await dpopKey();
      const offered = (await applicantOffer(w)).body;
      const response = await tokenRequest(w.app, preAuthorizedCode(offered.credentialOffer), offered.txCode)
        .set('DPoP', await dpopProof(key, { htu: tokenUrl }))
        .expect(200);
      assert.equal(response.body.token_type, 'DPoP');
      token = response.body.access_token;
    });

    it('refuses the DPoP-bound token used as a Bearer token', async () => {
      const response = await credentialRequest(`Bearer ${token}`);
      assertRefused(response, 401, 'invalid_token');
      assert.match(response.headers['www-authenticate'] ?? '', /^DPoP error="invalid_token"/);
    });
    it('refuses the token without a proof', async () =>
      assertRefused(await credentialRequest(`DPoP ${token}`), 401, 'invalid_dpop_proof'));
    it('refuses a proof without ath', async () =>
      assertRefused(
        await credentialRequest(`DPoP ${token}`, await dpopProof(key, { htu: credentialUrl })),
        401,
        'invalid_dpop_proof',
      ));
    it('refuses a proof whose ath names another token', async () =>
      assertRefused(
        await credentialRequest(
          `DPoP ${token}`,
          await dpopProof(key, { htu: credentialUrl, ath: ath('another') }),
        ),
        401,
        'invalid_dpop_proof',
      ));
    it('refuses a proof by another key than the bound one', async () =>
      assertRefused(
        await credentialRequest(
          `DPoP ${token}`,
          await dpopProof(await dpopKey(), { htu: credentialUrl, ath: ath(token) }),
        ),
        401,
        'invalid_dpop_proof',
      ));
    it('refuses a proof for the token endpoint', async () =>
      assertRefused(
        await credentialRequest(`DPoP ${token}`, await dpopProof(key, { htu: tokenUrl, ath: ath(token) })),
        401,
        'invalid_dpop_proof',
      ));
    it('reads the scheme in any letter case (RFC 9110 §11.1): "dpop" is DPoP', async () =>
      // No proof: refused as a DPoP use without its proof, not as a missing token.
      assertRefused(await credentialRequest(`dpop ${token}`), 401, 'invalid_dpop_proof'));
    it('refuses a Bearer token sent with the DPoP scheme', async () => {
      const offered = (await applicantOffer(w)).body;
      const bearer = (
        await tokenRequest(w.app, preAuthorizedCode(offered.credentialOffer), offered.txCode).expect(200)
      ).body;
      assert.equal(bearer.token_type, 'Bearer');
      assertRefused(
        await credentialRequest(
          `DPoP ${bearer.access_token}`,
          await dpopProof(key, { htu: credentialUrl, ath: ath(bearer.access_token) }),
        ),
        401,
        'invalid_token',
      );
    });
    it('issues with the bound key, refuses that proof replayed, and takes the notification', async function () {
      this.timeout(20_000);
      const proof = await dpopProof(key, { htu: credentialUrl, ath: ath(token) });
      const issued = await request(w.app)
        .post('/oid4vci/credential')
        .set('Authorization', `DPoP ${token}`)
        .set('DPoP', proof)
        .send({
          credential_configuration_id: JWT_VC,
          proofs: { jwt: [await keyProof(w.member, w.issuer, { nonce: await cNonce(w.app) })] },
        })
        .expect(200);
      assert.equal(issued.body.credentials.length, 1);
      assertRefused(await credentialRequest(`DPoP ${token}`, proof), 401, 'invalid_dpop_proof');
      const notification = { notification_id: issued.body.notification_id, event: 'credential_accepted' };
      assertRefused(
        await request(w.app)
          .post('/oid4vci/notification')
          .set('Authorization', `Bearer ${token}`)
          .send(notification),
        401,
        'invalid_token',
      );
      await request(w.app)
        .post('/oid4vci/notification')
        .set('Authorization', `DPoP ${token}`)
        .set('DPoP', await dpopProof(key, { htu: notificationUrl, ath: ath(token) }))
        .send(notification)
        .expect(204);
    });
  });
});

describeEachDatabase('OID4VCI_REQUIRE_DPOP: token requests need a DPoP proof', (fresh) => {
  let w: World;

  before(async function () {
    this.timeout(60_000);
    w = await world(await fresh(), { OID4VCI_REQUIRE_DPOP: 'true' });
  });
  after(async () => w?.running.close());

  it('refuses a token request without a DPoP proof, and spends no code', async () => {
    const offered = (await applicantOffer(w)).body;
    const code = preAuthorizedCode(offered.credentialOffer);
    assertRefused(await tokenRequest(w.app, code, offered.txCode), 400, 'invalid_dpop_proof');
    const key = await dpopKey();
    const token = await tokenRequest(w.app, code, offered.txCode)
      .set('DPoP', await dpopProof(key, { htu: `${w.issuer}/oid4vci/token` }))
      .expect(200);
    assert.equal(token.body.token_type, 'DPoP');
  });

  it("the project's holder wallet receives with a DPoP-bound token", async function () {
    this.timeout(30_000);
    const wallet = await newWallet();
    const offered = (await applicantOffer(w)).body;
    const received = await receiveCredential(wallet, offered.links.byReference, {
      txCode: offered.txCode,
      configurationId: SD_JWT,
    });
    assert.equal(received.configurationId, SD_JWT);
    assert.equal(wallet.credentials().length, 1);
  });

  it("the OpenWallet Foundation's @openid4vc/openid4vci receives with DPoP", async function () {
    this.timeout(30_000);
    const dpopHolder: Holder = await newHolder();
    const client = openid4vciWallet(w.member, [dpopHolder]);
    const offered = (await applicantOffer(w)).body;
    const offer = await client.resolveCredentialOffer(offered.links.byReference);
    const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
    const dpopSigner = { method: 'jwk' as const, publicJwk: dpopHolder.publicJwk as never, alg: 'EdDSA' };
    const { accessTokenResponse, dpop } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer: offer,
      issuerMetadata,
      txCode: offered.txCode,
      dpop: { signer: dpopSigner },
    });
    assert.equal(accessTokenResponse.token_type, 'DPoP');
    const { c_nonce } = await client.requestNonce({ issuerMetadata });
    const proof = await client.createCredentialRequestJwtProof({
      issuerMetadata,
      credentialConfigurationId: JWT_VC,
      nonce: c_nonce,
      signer: { method: 'did', didUrl: w.member.kid, alg: 'EdDSA' },
    });
    const response = await client.retrieveCredentials({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      credentialConfigurationId: JWT_VC,
      proofs: { jwt: [proof.jwt] },
      dpop: { signer: dpopSigner, ...(dpop?.nonce ? { nonce: dpop.nonce } : {}) },
    });
    const body = response.credentialResponse as {
      credentials: { credential: string }[];
      notification_id: string;
    };
    assert.equal(body.credentials.length, 1);
    await client.sendNotification({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      notification: { notificationId: body.notification_id, event: 'credential_accepted' },
      dpop: { signer: dpopSigner },
    });
    // The token is bound to the library's key: the same request as Bearer is refused.
    const bearer = await request(w.app)
      .post('/oid4vci/credential')
      .set('Authorization', `Bearer ${accessTokenResponse.access_token}`)
      .send({});
    assertRefused(bearer, 401, 'invalid_token');
  });
});
