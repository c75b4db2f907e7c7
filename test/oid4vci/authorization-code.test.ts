/**
 * OpenID4VCI 1.0 §3.4 authorization code flow: a wallet that starts by itself (or with an
 * offer's `issuer_state`) asks the issuer's authorization endpoint (PKCE S256), the holder
 * proves membership with the wallet login (OpenID4VP, its MembershipCredential; the answer made
 * with `@openid4vc/openid4vp`), the browser continues to the wallet's redirect URI with the
 * code, and the wallet exchanges it. The OpenWallet Foundation's `@openid4vc/openid4vci` is the
 * wallet end to end; the refusals drive the endpoints directly and assert each code.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, decodeJwt } from 'jose';
import request from 'supertest';
import { presentation } from '../governance/support.js';
import { openid4vpWallet } from '../interop/support.js';
import { Browser, walletUrls } from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { dpopKey, dpopProof } from './dpop-support.js';
import {
  applicantOffer,
  cNonce,
  decide,
  type Holder,
  keyProof,
  newHolder,
  openid4vciWallet,
  preAuthorizedCode,
  tokenRequest,
  type World,
  world,
} from './support.js';

const SD_JWT = 'MembershipCredential_dc+sd-jwt';
const JWT_VC = 'MembershipCredential_jwt_vc_json';
const WALLET = 'https://wallet.example/client';
const REDIRECT = 'https://wallet.example/callback';

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

describeEachDatabase('OpenID4VCI 1.0 §3.4: the authorization code grant', (fresh) => {
  let w: World;
  let membership: string;

  before(async function () {
    this.timeout(60_000);
    // Every test starts authorizations from one address: more than the default 60 a minute.
    w = await world(await fresh(), { RATE_LIMIT_PER_ADDRESS: '200' });
    const challenge = (await request(w.app).get('/api/v1/membership/challenge').expect(200)).body.challenge;
    const proof = await presentation(w.member, w.service.identity.did, challenge, []);
    membership = (
      await request(w.app)
        .post(`/api/v1/membership/applications/${w.applicationId}/credential`)
        .send({ presentation: proof })
        .expect(200)
    ).body.credential as string;
  });
  after(async () => w?.running.close());

  /** The holder answers the page's wallet login with `credentials`, signed by `holder`'s DID. */
  async function proveMembership(html: string, holder: Holder, credentials = [membership]): Promise<number> {
    const wallet = openid4vpWallet();
    const parsed = wallet.parseOpenid4vpAuthorizationRequest({
      authorizationRequest: walletUrls(html).sameDevice,
    });
    const resolved = await wallet.resolveOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: parsed.params as never,
    });
    const asked = resolved.authorizationRequestPayload as { nonce: string; client_id: string };
    const vp = await presentation(holder, asked.client_id, asked.nonce, credentials);
    const response = await wallet.createOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      authorizationResponsePayload: { vp_token: { membership: [vp] } },
    });
    const submitted = await wallet.submitOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: resolved.authorizationRequestPayload as never,
      authorizationResponsePayload: response.authorizationResponsePayload,
    });
    return submitted.response.status;
  }

  /** A browser opens `authorizationUrl`, the holder proves membership; where the browser is sent. */
  async function authorize(authorizationUrl: string, holder: Holder = w.member) {
    const browser = new Browser(w.running.publicUrl);
    const page = await browser.request(authorizationUrl);
    const html = await page.text();
    assert.equal(page.status, 200, html);
    assert.equal(await proveMembership(html, holder), 200);
    const path = /<form method="get" action="([^"]+)"/.exec(html)?.[1] as string;
    const status = await browser.request(`${w.running.publicUrl}${path.replace(/continue$/, 'status')}`);
    assert.deepEqual(await status.json(), { status: 'presented' });
    const back = await browser.request(`${w.running.publicUrl}${path}`);
    assert.equal(back.status, 303);
    return new URL(back.headers.get('location') as string);
  }

  /** An authorization URL built by hand, with PKCE. */
  function authorizationUrl(
    params: Record<string, string>,
    verifier = randomBytes(32).toString('base64url'),
  ) {
    const url = new URL(`${w.issuer}/oid4vci/authorize`);
    const all: Record<string, string> = {
      response_type: 'code',
      client_id: WALLET,
      redirect_uri: REDIRECT,
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
      state: 'wallet-state',
      ...params,
    };
    for (const [name, value] of Object.entries(all)) if (value !== '') url.searchParams.set(name, value);
    return { url: url.href, verifier };
  }

  function exchange(code: string, verifier: string, overrides: Record<string, string> = {}) {
    return request(w.app)
      .post('/oid4vci/token')
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        client_id: WALLET,
        ...overrides,
      });
  }

  /** A code for `params`, through the whole authorization step. */
  async function codeFor(params: Record<string, string> = { scope: SD_JWT }) {
    const started = authorizationUrl(params);
    const back = await authorize(started.url);
    const code = back.searchParams.get('code');
    assert.ok(code, back.href);
    return { code, verifier: started.verifier };
  }

  async function credentialRequest(token: string, body: Record<string, unknown>, holder: Holder = w.member) {
    const proof = await keyProof(holder, w.issuer, {
      nonce: await cNonce(w.app),
      header: { jwk: holder.publicJwk },
    });
    return request(w.app)
      .post('/oid4vci/credential')
      .set('authorization', `Bearer ${token}`)
      .send({ ...body, proofs: { jwt: [proof] } });
  }

  describe('§12.3 authorization server metadata', () => {
    it('lists the authorization endpoint, the code grant, PKCE S256, authorization_details and the scopes', async () => {
      const as = (await request(w.app).get('/.well-known/oauth-authorization-server').expect(200)).body;
      assert.equal(as.authorization_endpoint, `${w.issuer}/oid4vci/authorize`);
      assert.ok(as.grant_types_supported.includes('authorization_code'));
      assert.deepEqual(as.response_types_supported, ['code']);
      assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(as.authorization_details_types_supported, ['openid_credential']);
      assert.deepEqual(as.scopes_supported, [JWT_VC, SD_JWT]);
      assert.equal(as.authorization_response_iss_parameter_supported, true);
    });

    it('offers carry an issuer_state for the authorization code grant', async () => {
      const offered = (await applicantOffer(w)).body;
      assert.match(offered.credentialOffer.grants.authorization_code.issuer_state, /^[A-Za-z0-9_-]{43}$/);
    });
  });

  describe('end to end with @openid4vc/openid4vci as the wallet', () => {
    it("a wallet that starts by itself obtains the MembershipCredential as SD-JWT VC, bound to the member DID's key", async function () {
      this.timeout(30_000);
      const holder = w.member;
      const wallet = openid4vciWallet(holder, [], WALLET);
      const issuerMetadata = await wallet.resolveIssuerMetadata(w.issuer);
      // Wallet-initiated: no offer was received, the wallet names what it wants.
      const offer = {
        credential_issuer: w.issuer,
        credential_configuration_ids: [SD_JWT],
        grants: { authorization_code: {} },
      };
      const started = await wallet.createAuthorizationRequestUrlFromOffer({
        clientId: WALLET,
        redirectUri: REDIRECT,
        scope: SD_JWT,
        credentialOffer: offer,
        issuerMetadata,
      });
      const back = await authorize(started.authorizationRequestUrl);
      const response = wallet.parseAndVerifyAuthorizationResponseRedirectUrl({
        url: back.href,
        authorizationServerMetadata: issuerMetadata.authorizationServers[0] as never,
      });
      assert.ok(response.code, back.href);
      const { accessTokenResponse } = await wallet.retrieveAuthorizationCodeAccessTokenFromOffer({
        issuerMetadata,
        credentialOffer: offer,
        authorizationCode: response.code,
        pkceCodeVerifier: started.pkce?.codeVerifier as string,
        redirectUri: REDIRECT,
      });
      const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
      const proof = await wallet.createCredentialRequestJwtProof({
        issuerMetadata,
        credentialConfigurationId: SD_JWT,
        nonce: c_nonce,
        signer: { method: 'jwk', publicJwk: holder.publicJwk as never, alg: 'EdDSA' },
      });
      const credentials = await wallet.retrieveCredentials({
        issuerMetadata,
        accessToken: accessTokenResponse.access_token,
        credentialConfigurationId: SD_JWT,
        proofs: { jwt: [proof.jwt] },
      });
      const [issued] = (credentials.credentialResponse as { credentials: { credential: string }[] })
        .credentials;
      const payload = decodeJwt((issued?.credential ?? '').split('~')[0] as string);
      assert.equal(payload.sub, w.member.did);
      assert.equal((payload.cnf as { jwk: { x: string } }).jwk.x, holder.publicJwk.x);
    });

    it("a wallet with the offer's issuer_state obtains the JWT VC and spends the offer", async function () {
      this.timeout(30_000);
      const offered = (await applicantOffer(w)).body;
      const wallet = openid4vciWallet(w.member, [], WALLET);
      const offer = await wallet.resolveCredentialOffer(offered.links.byReference);
      const issuerMetadata = await wallet.resolveIssuerMetadata(offer.credential_issuer);
      const started = await wallet.createAuthorizationRequestUrlFromOffer({
        clientId: WALLET,
        redirectUri: REDIRECT,
        scope: JWT_VC,
        credentialOffer: offer,
        issuerMetadata,
      });
      // The metadata names a PAR endpoint, so the library pushed the request (RFC 9126), its
      // issuer_state included: the browser's URL carries client_id and request_uri only.
      const sent = new URL(started.authorizationRequestUrl).searchParams;
      assert.deepEqual([...sent.keys()].sort(), ['client_id', 'request_uri']);
      assert.match(sent.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:/);
      const back = await authorize(started.authorizationRequestUrl);
      const { accessTokenResponse } = await wallet.retrieveAuthorizationCodeAccessTokenFromOffer({
        issuerMetadata,
        credentialOffer: offer,
        authorizationCode: back.searchParams.get('code') as string,
        pkceCodeVerifier: started.pkce?.codeVerifier as string,
        redirectUri: REDIRECT,
      });
      const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
      const proof = await wallet.createCredentialRequestJwtProof({
        issuerMetadata,
        credentialConfigurationId: JWT_VC,
        nonce: c_nonce,
        signer: { method: 'did', didUrl: w.member.kid, alg: 'EdDSA' },
      });
      const credentials = await wallet.retrieveCredentials({
        issuerMetadata,
        accessToken: accessTokenResponse.access_token,
        credentialConfigurationId: JWT_VC,
        proofs: { jwt: [proof.jwt] },
      });
      const [issued] = (credentials.credentialResponse as { credentials: { credential: string }[] })
        .credentials;
      assert.equal(decodeJwt(issued?.credential as string).sub, w.member.did);
      // The offer was spent by this grant: its pre-authorized code is dead too.
      const code =
        offered.credentialOffer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'][
          'pre-authorized_code'
        ];
      const again = await request(w.app)
        .post('/oid4vci/token')
        .type('form')
        .send({
          grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
          'pre-authorized_code': code,
          tx_code: offered.txCode,
        })
        .expect(400);
      assert.equal(again.body.error, 'invalid_grant');
    });
  });

  describe('§6.2 authorization_details and credential identifiers', () => {
    it('answers authorization_details with credential_identifiers, which the credential request names', async function () {
      this.timeout(30_000);
      const details = JSON.stringify([{ type: 'openid_credential', credential_configuration_id: SD_JWT }]);
      const { code, verifier } = await codeFor({ authorization_details: details });
      const token = (await exchange(code, verifier).expect(200)).body;
      assert.deepEqual(token.authorization_details, [
        { type: 'openid_credential', credential_configuration_id: SD_JWT, credential_identifiers: [SD_JWT] },
      ]);
      const byConfiguration = await credentialRequest(token.access_token, {
        credential_configuration_id: SD_JWT,
      });
      assert.equal(byConfiguration.status, 400);
      assert.equal(byConfiguration.body.error, 'invalid_credential_request');
      const issued = await credentialRequest(token.access_token, { credential_identifier: SD_JWT });
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
      assert.equal(issued.body.credentials.length, 1);
    });
  });

  describe('RFC 6749 §4.1.3, RFC 7636 §4.6: the code is bound and single use', () => {
    it('refuses a code used twice (invalid_grant) and revokes the token the first use got', async function () {
      this.timeout(30_000);
      const { code, verifier } = await codeFor();
      const first = (await exchange(code, verifier).expect(200)).body;
      const second = await exchange(code, verifier).expect(400);
      assert.equal(second.body.error, 'invalid_grant');
      assert.match(second.body.error_description, /used before/);
      const revoked = await credentialRequest(first.access_token, { credential_configuration_id: SD_JWT });
      assert.equal(revoked.status, 401);
      assert.equal(revoked.body.error, 'invalid_token');
    });

    it('refuses a code_verifier that does not match the challenge (invalid_grant)', async function () {
      this.timeout(30_000);
      const { code } = await codeFor();
      const refused = await exchange(code, randomBytes(32).toString('base64url')).expect(400);
      assert.equal(refused.body.error, 'invalid_grant');
      assert.match(refused.body.error_description, /PKCE/);
    });

    it('refuses another redirect_uri than the request had (invalid_grant)', async function () {
      this.timeout(30_000);
      const { code, verifier } = await codeFor();
      const refused = await exchange(code, verifier, { redirect_uri: 'https://wallet.example/other' }).expect(
        400,
      );
      assert.equal(refused.body.error, 'invalid_grant');
      assert.match(refused.body.error_description, /redirect_uri/);
    });

    it('refuses another client_id than the request had (invalid_grant)', async function () {
      this.timeout(30_000);
      const { code, verifier } = await codeFor();
      const refused = await exchange(code, verifier, { client_id: 'https://other.example' }).expect(400);
      assert.equal(refused.body.error, 'invalid_grant');
    });

    it('refuses an expired code (invalid_grant)', async function () {
      this.timeout(30_000);
      const { code, verifier } = await codeFor();
      // The code's minute is over: set its expiry in the past, as the clock would.
      await w.service.dataSource.query(
        `UPDATE oid4vci_authorization SET code_expires_at = '2000-01-01T00:00:00.000Z' WHERE status = 'coded'`,
      );
      const refused = await exchange(code, verifier).expect(400);
      assert.equal(refused.body.error, 'invalid_grant');
      assert.match(refused.body.error_description, /expired/);
    });

    it('refuses an unknown code and a missing code_verifier', async () => {
      const unknown = await exchange(
        randomBytes(32).toString('base64url'),
        randomBytes(32).toString('base64url'),
      );
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.error, 'invalid_grant');
      const missing = await exchange(randomBytes(32).toString('base64url'), '').expect(400);
      assert.equal(missing.body.error, 'invalid_request');
    });
  });

  describe("§13 (security): a code obtained by proving membership binds only to the member's key", () => {
    // Anyone can start an authorization request and forward its cross-device wallet link to a
    // member; the member's wallet proves membership to this service, and the code goes to the
    // browser that started. The code must then be worthless without the member's key.
    it("refuses a key proof by another key than the member DID's (invalid_proof), and issues nothing", async function () {
      this.timeout(30_000);
      const { code, verifier } = await codeFor({ scope: SD_JWT });
      const token = (await exchange(code, verifier).expect(200)).body.access_token as string;
      const attacker = await newHolder();
      const refused = await credentialRequest(token, { credential_configuration_id: SD_JWT }, attacker);
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.error, 'invalid_proof');
      const bound = await credentialRequest(token, { credential_configuration_id: SD_JWT });
      assert.equal(bound.status, 200, JSON.stringify(bound.body));
      const payload = decodeJwt((bound.body.credentials[0].credential as string).split('~')[0] as string);
      assert.equal((payload.cnf as { jwk: { x: string } }).jwk.x, w.member.publicJwk.x);
    });

    it('a pre-authorized offer (handed to the member by the operator) still binds to the key of any wallet', async function () {
      this.timeout(30_000);
      const offered = await w.service.oid4vci.offerTo(w.member.did, { configurations: [SD_JWT] });
      const redeemed = await tokenRequest(w.app, preAuthorizedCode(offered.offer as never), offered.txCode);
      assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
      const token = redeemed.body.access_token as string;
      const wallet = await newHolder();
      const issued = await credentialRequest(token, { credential_configuration_id: SD_JWT }, wallet);
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
      const payload = decodeJwt((issued.body.credentials[0].credential as string).split('~')[0] as string);
      assert.equal((payload.cnf as { jwk: { x: string } }).jwk.x, wallet.publicJwk.x);
    });
  });

  describe('§8.3.1.2 only the configurations authorised', () => {
    it('refuses a credential request for a configuration the authorization did not include (credential_request_denied)', async function () {
      this.timeout(30_000);
      const { code, verifier } = await codeFor({ scope: SD_JWT });
      const token = (await exchange(code, verifier).expect(200)).body;
      const refused = await credentialRequest(token.access_token, { credential_configuration_id: JWT_VC });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, 'credential_request_denied');
    });

    it('refuses an issuer_state request for a configuration the offer did not contain (invalid_request)', async () => {
      // An offer of the SD-JWT VC only.
      const only = await w.service.oid4vci.offerTo(w.member.did, { configurations: [SD_JWT] });
      const issuerState = (only.offer.grants.authorization_code as { issuer_state: string }).issuer_state;
      const url = new URL(authorizationUrl({ scope: JWT_VC, issuer_state: issuerState }).url);
      const refused = await request(w.app).get(`${url.pathname}${url.search}`).expect(400);
      assert.equal(refused.body.error, 'invalid_request');
      assert.match(refused.body.error_description, /does not contain/);
    });
  });

  describe('RFC 9449 §10: dpop_jkt binds the code to a DPoP key', () => {
    const tokenUrl = () => `${w.issuer}/oid4vci/token`;

    it('redeems a bound code only with a proof by that key; refusals spend nothing', async function () {
      this.timeout(30_000);
      const key = await dpopKey();
      const { code, verifier } = await codeFor({
        scope: SD_JWT,
        dpop_jkt: await calculateJwkThumbprint(key.publicJwk),
      });
      const unproven = await exchange(code, verifier).expect(400);
      assert.equal(unproven.body.error, 'invalid_dpop_proof');
      assert.match(unproven.headers['www-authenticate'] ?? '', /^DPoP error="invalid_dpop_proof"/);
      const other = await exchange(code, verifier).set(
        'DPoP',
        await dpopProof(await dpopKey(), { htu: tokenUrl() }),
      );
      assert.equal(other.status, 400);
      assert.equal(other.body.error, 'invalid_dpop_proof');
      const token = await exchange(code, verifier)
        .set('DPoP', await dpopProof(key, { htu: tokenUrl() }))
        .expect(200);
      assert.equal(token.body.token_type, 'DPoP');
    });

    it('binds a pushed request to the key of its DPoP proof (§10.1)', async function () {
      this.timeout(30_000);
      const key = await dpopKey();
      const verifier = randomBytes(32).toString('base64url');
      const pushed = await request(w.app)
        .post('/oid4vci/par')
        .type('form')
        .set('DPoP', await dpopProof(key, { htu: `${w.issuer}/oid4vci/par` }))
        .send({
          response_type: 'code',
          client_id: WALLET,
          redirect_uri: REDIRECT,
          code_challenge: s256(verifier),
          code_challenge_method: 'S256',
          scope: SD_JWT,
        })
        .expect(201);
      const back = await authorize(
        `${w.issuer}/oid4vci/authorize?${new URLSearchParams({ client_id: WALLET, request_uri: pushed.body.request_uri })}`,
      );
      const code = back.searchParams.get('code') as string;
      const other = await exchange(code, verifier).set(
        'DPoP',
        await dpopProof(await dpopKey(), { htu: tokenUrl() }),
      );
      assert.equal(other.body.error, 'invalid_dpop_proof');
      await exchange(code, verifier)
        .set('DPoP', await dpopProof(key, { htu: tokenUrl() }))
        .expect(200);
    });

    it('refuses a pushed request whose dpop_jkt is not its proof key (invalid_dpop_proof)', async () => {
      const refused = await request(w.app)
        .post('/oid4vci/par')
        .type('form')
        .set('DPoP', await dpopProof(await dpopKey(), { htu: `${w.issuer}/oid4vci/par` }))
        .send({
          response_type: 'code',
          client_id: WALLET,
          redirect_uri: REDIRECT,
          code_challenge: s256(randomBytes(32).toString('base64url')),
          code_challenge_method: 'S256',
          scope: SD_JWT,
          dpop_jkt: await calculateJwkThumbprint((await dpopKey()).publicJwk),
        })
        .expect(400);
      assert.equal(refused.body.error, 'invalid_dpop_proof');
    });
  });

  describe('§5.1 the authorization request is checked before anything is recorded', () => {
    const cases: [string, Record<string, string>, string][] = [
      ['no PKCE', { code_challenge: '', code_challenge_method: '' }, 'invalid_request'],
      ['PKCE plain', { code_challenge_method: 'plain' }, 'invalid_request'],
      ['response_type token', { response_type: 'token' }, 'unsupported_response_type'],
      ['no redirect_uri', { redirect_uri: '' }, 'invalid_request'],
      ['a javascript: redirect_uri', { redirect_uri: 'javascript:alert(1)' }, 'invalid_request'],
      ['an http redirect_uri off loopback', { redirect_uri: 'http://wallet.example/cb' }, 'invalid_request'],
      ['nothing asked for', {}, 'invalid_request'],
      ['an unknown scope', { scope: 'openid' }, 'invalid_scope'],
      [
        'authorization_details of another type',
        { authorization_details: JSON.stringify([{ type: 'payment', credential_configuration_id: SD_JWT }]) },
        'invalid_authorization_details',
      ],
      [
        'an unknown configuration',
        {
          authorization_details: JSON.stringify([
            { type: 'openid_credential', credential_configuration_id: 'X' },
          ]),
        },
        'invalid_authorization_details',
      ],
      ['another resource', { scope: SD_JWT, resource: 'https://elsewhere.example' }, 'invalid_target'],
      ['an unknown issuer_state', { scope: SD_JWT, issuer_state: 'x'.repeat(43) }, 'invalid_request'],
      [
        'a dpop_jkt that is no thumbprint (RFC 9449 §10)',
        { scope: SD_JWT, dpop_jkt: 'short' },
        'invalid_request',
      ],
    ];
    for (const [name, params, code] of cases) {
      it(`refuses ${name} (${code})`, async () => {
        const url = new URL(authorizationUrl(params).url);
        const refused = await request(w.app).get(`${url.pathname}${url.search}`).expect(400);
        assert.equal(refused.body.error, code, JSON.stringify(refused.body));
        assert.equal(refused.headers['set-cookie'], undefined);
      });
    }
  });

  describe('the membership proof', () => {
    it("sends the wallet access_denied with the verifier's code when it refuses the wallet's answer", async function () {
      this.timeout(60_000);
      const started = authorizationUrl({ scope: SD_JWT });
      const browser = new Browser(w.running.publicUrl);
      const html = await (await browser.request(started.url)).text();
      // Another DID presents the member's credential: the verifier refuses (holder binding).
      const stranger = await newHolder();
      assert.equal(await proveMembership(html, stranger), 400);
      const path = /<form method="get" action="([^"]+)"/.exec(html)?.[1] as string;
      const status = await browser.request(`${w.running.publicUrl}${path.replace(/continue$/, 'status')}`);
      assert.deepEqual(await status.json(), { status: 'presented' });
      const back = await browser.request(`${w.running.publicUrl}${path}`);
      assert.equal(back.status, 303);
      const to = new URL(back.headers.get('location') as string);
      assert.equal(to.searchParams.get('error'), 'access_denied');
      assert.match(to.searchParams.get('error_description') as string, /refused \([a-z_]+\)$/);
      assert.equal(to.searchParams.get('code'), null);
      assert.equal(to.searchParams.get('state'), 'wallet-state');
      // Finished: the same continuation cannot be used again.
      const again = await browser.request(`${w.running.publicUrl}${path}`);
      assert.equal(again.status, 400);
    });

    it('sends the wallet access_denied when the member is suspended, and the continuation only works in the browser that started', async function () {
      this.timeout(60_000);
      const started = authorizationUrl({ scope: SD_JWT });
      const other = new Browser(w.running.publicUrl);
      const browser = new Browser(w.running.publicUrl);
      const html = await (await browser.request(started.url)).text();
      const path = /<form method="get" action="([^"]+)"/.exec(html)?.[1] as string;
      const early = await browser.request(`${w.running.publicUrl}${path}`);
      assert.equal(early.status, 400);
      assert.equal(((await early.json()) as { error: string }).error, 'invalid_request');
      assert.equal(await proveMembership(html, w.member), 200);
      const stranger = await other.request(`${w.running.publicUrl}${path}`);
      assert.equal(stranger.status, 400);
      assert.match(
        ((await stranger.json()) as { error_description: string }).error_description,
        /another browser/,
      );

      await decide(w, 'suspend', w.member.did);
      const back = await browser.request(`${w.running.publicUrl}${path}`);
      assert.equal(back.status, 303);
      const to = new URL(back.headers.get('location') as string);
      assert.equal(to.searchParams.get('error'), 'access_denied');
      assert.equal(to.searchParams.get('state'), 'wallet-state');
      assert.equal(to.searchParams.get('iss'), w.issuer);
      assert.equal(to.searchParams.get('code'), null);
    });
  });
});
