/**
 * Single use under concurrency (issue 8, item 4; RFC 6749 §4.1.2: a code is used once; RFC 7523
 * §3 and OpenID Connect Core §9: a client assertion's `jti` is used once). On PostgreSQL the
 * requests go to two services over one database, as two replicas would; on SQLite to one.
 * Exactly one wins; every other answer is the OAuth error, never a 5xx.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type * as client from 'openid-client';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import { walletLogin } from '../../src/wallet/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
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

const RACERS = 8;

describeEachDatabase('single use under concurrency', (fresh) => {
  let running: Running;
  let other: Service | undefined;
  let rp: client.Configuration;
  let secret: string;
  let apps: ReturnType<Service['app']['callback']>[];

  before(async function () {
    this.timeout(60_000);
    const database = await fresh();
    running = await startService(database);
    const registered = await running.service.oidc.clients.add({
      clientId: 'racer',
      redirectUris: [REDIRECT_URI],
      scopes: ['membership', 'offline_access'],
    });
    secret = registered.client_secret as string;
    rp = await relyingParty(running, ['membership']);
    // A second replica over the same PostgreSQL database (SQLite is one process's file).
    if (database.kind === 'postgres')
      other = await openTestService(database, { PUBLIC_URL: running.publicUrl });
    apps = [running.service.app.callback(), ...(other ? [other.app.callback()] : [])];
  });
  after(async () => {
    await other?.close();
    await running?.close();
  });

  /** A fresh authorization code of client `racer`, and its PKCE verifier. */
  async function freshCode(scope = 'openid membership'): Promise<{ code: string; verifier: string }> {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    const browser = new Browser(running.publicUrl);
    const started = await startLogin(rp, scope, { prompt: 'consent' });
    const url = new URL(started.authorizationUrl.href);
    url.searchParams.set('client_id', 'racer');
    const page = await browser.navigate(url.href);
    const login = await walletLogin(wallet, walletUrls(await page.response.text()).sameDevice, {
      resolver: running.service.credentials.resolver,
    });
    const back = new URL((await browser.navigate(login.redirectUri as string)).url);
    return { code: back.searchParams.get('code') as string, verifier: started.verifier };
  }

  function tally(responses: request.Response[], error: string) {
    const statuses = responses.map((r) => r.status);
    assert.ok(!statuses.some((s) => s >= 500), `no 5xx: ${statuses.join(' ')}`);
    const won = responses.filter((r) => r.status === 200);
    assert.equal(won.length, 1, `exactly one success: ${statuses.join(' ')}`);
    for (const lost of responses.filter((r) => r.status !== 200)) assert.equal(lost.body.error, error);
  }

  it(`redeems one authorization code once out of ${RACERS} concurrent requests; the others get invalid_grant`, async function () {
    this.timeout(60_000);
    const { code, verifier } = await freshCode();
    const responses = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        request(apps[i % apps.length])
          .post('/oidc/token')
          .auth('racer', secret)
          .type('form')
          .send({
            grant_type: 'authorization_code',
            code,
            redirect_uri: REDIRECT_URI,
            code_verifier: verifier,
          }),
      ),
    );
    tally(responses, 'invalid_grant');
  });

  it(`rotates one refresh token once out of ${RACERS} concurrent refresh requests; the others get invalid_grant`, async function () {
    this.timeout(60_000);
    const { code, verifier } = await freshCode('openid membership offline_access');
    const exchanged = await request(apps[0])
      .post('/oidc/token')
      .auth('racer', secret)
      .type('form')
      .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier })
      .expect(200);
    const refreshToken = exchanged.body.refresh_token as string;
    assert.ok(refreshToken);
    const responses = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        request(apps[i % apps.length])
          .post('/oidc/token')
          .auth('racer', secret)
          .type('form')
          .send({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      ),
    );
    tally(responses, 'invalid_grant');
  });

  it(`accepts one private_key_jwt assertion once out of ${RACERS} concurrent requests; the others get invalid_client`, async function () {
    this.timeout(60_000);
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const clientId = `connector-${randomUUID()}`;
    await running.service.oidc.clients.add({
      clientId,
      redirectUris: ['https://connector.example/cb'],
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] },
    });
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(running.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    const responses = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        request(apps[i % apps.length])
          .post('/oidc/token')
          .type('form')
          .send({
            grant_type: 'client_credentials',
            scope: 'openid',
            client_id: clientId,
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: assertion,
          }),
      ),
    );
    tally(responses, 'invalid_client');
  });
});
