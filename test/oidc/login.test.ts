/**
 * The wallet login end to end: openid-client as the relying party, the project's wallet on the
 * other side, same-device and cross-device (OpenID4VP 1.0 §8.2 direct_post; OpenID Connect
 * Core §3.1 authorization code flow with PKCE, RFC 7636; RFC 9207 `iss`).
 */
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { walletLogin } from '../../src/wallet/index.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  Browser,
  giveMembership,
  newWallet,
  ORGANISATION,
  REDIRECT_URI,
  type Running,
  relyingParty,
  startLogin,
  startService,
  walletUrls,
} from './support.js';

describeEachDatabase('Wallet login (OpenID Connect + OpenID4VP 1.0)', (fresh) => {
  let running: Running;
  let rp: client.Configuration;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
    rp = await relyingParty(running);
  });
  after(async () => running?.close());

  async function login(
    flow: 'same-device' | 'cross-device',
    scope = 'openid membership',
    extra: Record<string, string> = {},
  ) {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    const browser = new Browser(running.publicUrl);
    const started = await startLogin(rp, scope, extra);
    const page = await browser.navigate(started.authorizationUrl.href);
    assert.equal(page.response.status, 200);
    const urls = walletUrls(await page.response.text());
    const result = await walletLogin(wallet, flow === 'same-device' ? urls.sameDevice : urls.crossDevice, {
      resolver: running.service.credentials.resolver,
    });
    let back: { response: Response; url: string };
    if (flow === 'same-device') {
      assert.ok(result.redirectUri, 'same-device answers a redirect_uri');
      back = await browser.navigate(result.redirectUri);
    } else {
      assert.equal(result.redirectUri, undefined);
      const uid = new URL(page.url).pathname.split('/').at(-1);
      const status = await browser.request(`${running.issuer}/interaction/${uid}/status`);
      const body = (await status.json()) as { status: string; continue: string };
      assert.equal(body.status, 'presented');
      back = await browser.navigate(new URL(body.continue, running.publicUrl).href);
    }
    assert.ok(back.url.startsWith(REDIRECT_URI), `lands at the relying party, not ${back.url}`);
    const callback = new URL(back.url);
    assert.equal(callback.searchParams.get('iss'), running.issuer, 'RFC 9207 iss');
    const tokens = await client.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    return { wallet, tokens, callback, started };
  }

  it('logs in on the same device and puts the credential claims in the ID token and userinfo', async () => {
    const { tokens } = await login('same-device');
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.organisation, ORGANISATION);
    assert.deepEqual(claims.roles, ['data-provider', 'public-authority']);
    assert.equal(claims.membership_status, 'active');
    const userinfo = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
    assert.equal(userinfo.organisation, ORGANISATION);
  });

  it('logs in across devices, the browser learning of it by polling with its interaction cookie', async () => {
    const { tokens } = await login('cross-device');
    assert.equal(tokens.claims()?.organisation, ORGANISATION);
  });

  it('keys the account on the credential issuer and subject: the same wallet gets the same sub', async () => {
    const first = await login('same-device');
    const browser = new Browser(running.publicUrl);
    const started = await startLogin(rp, 'openid membership');
    const page = await browser.navigate(started.authorizationUrl.href);
    const urls = walletUrls(await page.response.text());
    const result = await walletLogin(first.wallet, urls.sameDevice, {
      resolver: running.service.credentials.resolver,
    });
    const back = await browser.navigate(result.redirectUri as string);
    const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    assert.equal(tokens.claims()?.sub, first.tokens.claims()?.sub);
  });

  it('rotates refresh tokens (offline_access, which OpenID Connect Core §11 grants with prompt=consent)', async () => {
    const { tokens } = await login('same-device', 'openid membership offline_access', { prompt: 'consent' });
    assert.ok(tokens.refresh_token);
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token);
    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    await assert.rejects(
      client.refreshTokenGrant(rp, tokens.refresh_token),
      (error: { error?: string }) => error.error === 'invalid_grant',
    );
  });
});
