/**
 * The provider's configuration, as a relying party meets it: the service's own keys and no
 * development keys or interactions; exact redirect URIs (RFC 6749 §3.1.2.3); PKCE S256 for
 * every client (RFC 7636); only the code flow; one-time codes (RFC 6749 §4.1.2, §10.5);
 * RFC 9207 metadata; client credentials with private_key_jwt (RFC 7523).
 */
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import * as client from 'openid-client';
import { walletLogin } from '../../src/wallet/index.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  Browser,
  giveMembership,
  newWallet,
  REDIRECT_URI,
  type Running,
  relyingParty,
  startLogin,
  startService,
  walletUrls,
} from './support.js';

describeEachDatabase('OpenID Connect provider', (fresh) => {
  let running: Running;
  let rp: client.Configuration;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
    rp = await relyingParty(running);
  });
  after(async () => running?.close());

  /** The authorization endpoint's answer to a hand-made request. */
  async function authorize(params: Record<string, string>): Promise<Response> {
    const url = new URL(`${running.issuer}/auth`);
    const defaults = {
      client_id: 'portal',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT_URI,
      state: 'abc',
    };
    for (const [name, value] of Object.entries({ ...defaults, ...params }))
      if (value !== '') url.searchParams.set(name, value);
    return fetch(url, { redirect: 'manual' });
  }

  function errorAtRedirect(response: Response): string | null {
    const location = response.headers.get('location') ?? '';
    assert.ok(location.startsWith(REDIRECT_URI), `redirects to the client, not ${location}`);
    const url = new URL(location);
    // The implicit response types answer in the fragment (OAuth 2.0 Multiple Response Types §2.1).
    return url.searchParams.get('error') ?? new URLSearchParams(url.hash.slice(1)).get('error');
  }

  it('publishes only the service DID keys, PKCE S256 and RFC 9207 iss support', async () => {
    const metadata = rp.serverMetadata();
    assert.equal(metadata.issuer, running.issuer);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    const jwks = (await (await fetch(metadata.jwks_uri as string)).json()) as {
      keys: { kid: string; kty: string }[];
    };
    assert.ok(jwks.keys.length >= 3);
    const tokenKey = await running.service.identity.tokenSigningKey();
    for (const key of jwks.keys) {
      // The DID's keys, and the service's own RSA token key (rs256.test.ts): no development key.
      if (key.kty === 'RSA') assert.equal(key.kid, tokenKey.kid);
      else assert.ok(key.kid.startsWith(`${running.service.identity.did}#`), key.kid);
    }
  });

  it('has no development interactions: the interaction page is the wallet login', async () => {
    const browser = new Browser(running.publicUrl);
    const page = await browser.navigate((await startLogin(rp, 'openid membership')).authorizationUrl.href);
    const html = await page.response.text();
    assert.match(html, /openid4vp:\/\//);
    assert.doesNotMatch(html, /name="login"|name="password"/);
    const devLogin = await browser.request(`${page.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'login=admin&password=x',
    });
    assert.notEqual(devLogin.status, 303);
  });

  for (const [name, redirectUri] of [
    ['an unregistered', 'https://evil.example/callback'],
    ['a prefix', 'http://localhost:8999/callbac'],
    ['a suffix', 'http://localhost:8999/callback/more'],
    ['a userinfo', 'http://localhost:80@evil.example/callback'],
    ['an encoded traversal', 'http://localhost:8999/callback/..%252f..%252fevil'],
  ] as const) {
    it(`refuses ${name} redirect_uri (invalid_redirect_uri), without redirecting`, async () => {
      const response = await authorize({
        redirect_uri: redirectUri,
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      });
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null);
      assert.match(await response.text(), /invalid_redirect_uri/);
    });
  }

  it('refuses a request without PKCE (invalid_request)', async () => {
    assert.equal(errorAtRedirect(await authorize({})), 'invalid_request');
  });

  it('refuses plain PKCE (invalid_request)', async () => {
    assert.equal(
      errorAtRedirect(await authorize({ code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' })),
      'invalid_request',
    );
  });

  it('refuses response_type=token (unsupported_response_type)', async () => {
    const response = await authorize({
      response_type: 'token',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    });
    assert.equal(errorAtRedirect(response), 'unsupported_response_type');
  });

  it('refuses a reused authorization code (invalid_grant) and revokes the tokens of its first use', async () => {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    const browser = new Browser(running.publicUrl);
    const started = await startLogin(rp, 'openid membership');
    const page = await browser.navigate(started.authorizationUrl.href);
    const login = await walletLogin(wallet, walletUrls(await page.response.text()).sameDevice, {
      resolver: running.service.credentials.resolver,
    });
    const back = await browser.navigate(login.redirectUri as string);
    const callback = new URL(back.url);
    const checks = { pkceCodeVerifier: started.verifier, expectedState: started.state };
    const tokens = await client.authorizationCodeGrant(rp, callback, checks);
    await assert.rejects(
      client.authorizationCodeGrant(rp, callback, checks),
      (error: { error?: string }) => error.error === 'invalid_grant',
    );
    await assert.rejects(
      client.fetchUserInfo(rp, tokens.access_token, client.skipSubjectCheck),
      (error: { error?: string; status?: number }) => {
        return error.error === 'invalid_token' || error.status === 401;
      },
    );
  });

  it('refuses a missing PKCE verifier at the token endpoint (invalid_grant)', async () => {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    const browser = new Browser(running.publicUrl);
    const started = await startLogin(rp, 'openid membership');
    const page = await browser.navigate(started.authorizationUrl.href);
    const login = await walletLogin(wallet, walletUrls(await page.response.text()).sameDevice, {
      resolver: running.service.credentials.resolver,
    });
    const back = new URL((await browser.navigate(login.redirectUri as string)).url);
    const response = await fetch(`${running.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') as string,
        redirect_uri: REDIRECT_URI,
        client_id: 'portal',
      }).toString(),
    });
    assert.equal(response.status, 401, 'a confidential client without its secret is refused first');
    const withSecret = await client
      .authorizationCodeGrant(rp, back, {
        expectedState: started.state,
        pkceCodeVerifier: 'wrong'.repeat(10),
      })
      .catch((error: { error?: string }) => error);
    assert.equal((withSecret as { error?: string }).error, 'invalid_grant');
  });

  it('gives a connector an access token by client credentials with private_key_jwt', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'connector-1', alg: 'ES256', use: 'sig' };
    const registered = await running.service.oidc.clients.add({
      clientId: 'connector',
      redirectUris: ['https://connector.example/cb'],
      jwks: { keys: [jwk] },
    });
    assert.equal(registered.client_secret, undefined);
    assert.equal(registered.token_endpoint_auth_method, 'private_key_jwt');
    const connector = await client.discovery(
      new URL(running.issuer),
      'connector',
      {},
      client.PrivateKeyJwt({ key: privateKey, kid: 'connector-1' }),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const tokens = await client.clientCredentialsGrant(connector, { scope: 'openid' });
    assert.ok(tokens.access_token);
  });

  it('lists clients without secrets and removes them', async () => {
    const added = await running.service.oidc.clients.add({
      clientId: 'temporary',
      redirectUris: ['https://app.example/cb'],
    });
    assert.ok(added.client_secret);
    const listed = (await running.service.oidc.clients.list()).find((c) => c.client_id === 'temporary');
    assert.ok(listed);
    assert.equal(listed.client_secret, undefined);
    await running.service.oidc.clients.remove('temporary');
    assert.equal(
      (await running.service.oidc.clients.list()).find((c) => c.client_id === 'temporary'),
      undefined,
    );
  });

  it('supports RP-initiated logout (end_session_endpoint)', async () => {
    const endSession = rp.serverMetadata().end_session_endpoint;
    assert.ok(endSession);
    const response = await fetch(`${endSession}?client_id=portal`, { redirect: 'manual' });
    assert.equal(response.status, 200);
  });
});
