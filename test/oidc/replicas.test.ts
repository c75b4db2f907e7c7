/**
 * Two service processes over one PostgreSQL (issue 5: "two processes over one PostgreSQL serve
 * the same logins"). Both have the same PUBLIC_URL, reached through a TCP proxy that plays the
 * load balancer: the login starts on process A (authorization request, login page, request
 * object); the proxy then switches to process B and A is stopped, so the direct_post, the
 * browser's return, the code exchange and userinfo can only be served by B, from what A
 * stored (interaction, transaction, session, grant, code) and the cookie keys both derive from
 * the same secret.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { createDidResolver } from '../../src/did/index.js';
import { walletLogin } from '../../src/wallet/index.js';
import { createPostgresDatabase, isPostgresAvailable } from '../support/databases.js';
import { freePort, spawnCli, waitUntilReady } from '../support/process.js';
import { openTestService, TEST_SECRET } from '../support/service.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { Browser, giveMembership, newWallet, ORGANISATION, REDIRECT_URI, walletUrls } from './support.js';

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

describe('two service processes on one PostgreSQL: a login started on one, finished on the other', function () {
  this.timeout(120_000);
  const proxy = new TcpProxy('127.0.0.1', 1);
  const cleanups: Array<() => Promise<void>> = [];
  let processA: ChildProcess | undefined;
  let processB: ChildProcess | undefined;
  let portA = 0;
  let portB = 0;
  let publicUrl = '';
  let databaseUrl = '';

  before(async function () {
    if (!(await isPostgresAvailable())) this.skip();
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    databaseUrl = database.url;
    [portA, portB] = [await freePort(), await freePort()];
    proxy.retarget('127.0.0.1', portA);
    publicUrl = `http://localhost:${await proxy.start()}`;
    cleanups.push(() => proxy.cut());
    const env = (port: number) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'dst-replica-'));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      return {
        PORT: String(port),
        PUBLIC_URL: publicUrl,
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        KEY_ENCRYPTION_SECRET: TEST_SECRET,
        SHUTDOWN_DRAIN_MS: '0', // no load balancer in front: stop at once
        LOG_LEVEL: 'warn',
      };
    };
    // One after the other: A migrates the database and creates the service identity, B finds both.
    processA = spawnCli(['start'], env(portA));
    await waitUntilReady(`http://127.0.0.1:${portA}/health/ready`);
    processB = spawnCli(['start'], env(portB));
    await waitUntilReady(`http://127.0.0.1:${portB}/health/ready`);
  });

  after(async () => {
    await stop(processA);
    await stop(processB);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('serves the same DID and keys from both processes', async () => {
    const [a, b] = await Promise.all(
      [portA, portB].map(async (port) => (await fetch(`http://127.0.0.1:${port}/oidc/jwks`)).json()),
    );
    assert.deepEqual(a, b);
  });

  it('finishes on B (direct_post, return, code exchange, userinfo) a login started on A', async () => {
    // The operator's setup, on the same database: a relying party and a member's wallet.
    const dataDir = mkdtempSync(join(tmpdir(), 'dst-replica-setup-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const setup = await openTestService(
      { kind: 'postgres', dataDir, databaseUrl },
      { PUBLIC_URL: publicUrl },
    );
    const wallet = await newWallet();
    let secret: string;
    try {
      await giveMembership(setup, wallet);
      const registered = await setup.oidc.clients.add({
        clientId: 'portal',
        redirectUris: [REDIRECT_URI],
        scopes: ['membership'],
      });
      secret = registered.client_secret as string;
    } finally {
      await setup.close();
    }
    const issuer = `${publicUrl}/oidc`;
    const rp = await client.discovery(
      new URL(issuer),
      'portal',
      { client_secret: secret, id_token_signed_response_alg: 'ES256' },
      client.ClientSecretBasic(secret),
      { execute: [client.allowInsecureRequests] },
    );

    // On A: the authorization request and the login page.
    const browser = new Browser(publicUrl);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(rp, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid membership',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const page = await browser.navigate(authorizationUrl.href);
    assert.equal(page.response.status, 200);
    const { sameDevice } = walletUrls(await page.response.text());

    // The wallet fetches the request object from A; then the balancer moves to B and A goes away.
    let switched = false;
    const viaBalancer: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (switched || (init?.method ?? 'GET') !== 'GET') return response;
      const body = await response.text();
      proxy.retarget('127.0.0.1', portB);
      await stop(processA);
      switched = true;
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const result = await walletLogin(wallet, sameDevice, {
      resolver: createDidResolver({ developmentMode: true }),
      fetch: viaBalancer,
    });
    assert.ok(switched, 'the request object came from A');
    assert.equal(processA?.exitCode, 0, 'A has stopped');
    assert.ok(result.redirectUri);

    // On B: the browser's return with the response code, the resumed authorization, the code.
    const back = await browser.navigate(result.redirectUri);
    assert.ok(back.url.startsWith(REDIRECT_URI), `lands at the relying party, not ${back.url}`);
    const callback = new URL(back.url);
    assert.equal(callback.searchParams.get('iss'), issuer);
    const tokens = await client.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = tokens.claims();
    assert.equal(claims?.organisation, ORGANISATION);
    const userinfo = await client.fetchUserInfo(rp, tokens.access_token, claims?.sub as string);
    assert.equal(userinfo.organisation, ORGANISATION);
  });
});
