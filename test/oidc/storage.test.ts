/**
 * What the provider's storage holds (issue 8, item 9): authorization codes, access tokens and
 * refresh tokens are stored only under a SHA-256 of their value, so whoever reads the
 * database cannot use them; the value never appears in a row.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { OidcModelEntity } from '../../src/oidc/entities.js';
import { walletLogin } from '../../src/wallet/index.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  Browser,
  giveMembership,
  newWallet,
  type Running,
  relyingParty,
  startLogin,
  startService,
  walletUrls,
} from './support.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

describeEachDatabase('OpenID Connect storage', (fresh) => {
  let running: Running;
  let rp: client.Configuration;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
    rp = await relyingParty(running);
  });
  after(async () => running?.close());

  it('keeps codes, access tokens and refresh tokens only as SHA-256 of their value', async () => {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    const browser = new Browser(running.publicUrl);
    const started = await startLogin(rp, 'openid membership offline_access', { prompt: 'consent' });
    const page = await browser.navigate(started.authorizationUrl.href);
    const login = await walletLogin(wallet, walletUrls(await page.response.text()).sameDevice, {
      resolver: running.service.credentials.resolver,
    });
    const callback = new URL((await browser.navigate(login.redirectUri as string)).url);
    const code = callback.searchParams.get('code') as string;
    const tokens = await client.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const refreshToken = tokens.refresh_token as string;
    assert.ok(refreshToken);

    const rows = await running.service.dataSource.getRepository(OidcModelEntity).find();
    const dump = JSON.stringify(rows);
    for (const [name, value] of [
      ['authorization code', code],
      ['access token', tokens.access_token],
      ['refresh token', refreshToken],
    ] as const) {
      assert.ok(!dump.includes(value), `the ${name} is not stored`);
    }
    const ids = (model: string) => rows.filter((row) => row.model === model).map((row) => row.id);
    assert.ok(ids('AuthorizationCode').includes(sha256(code)));
    assert.ok(ids('AccessToken').includes(sha256(tokens.access_token)));
    assert.ok(ids('RefreshToken').includes(sha256(refreshToken)));
    // Looked up by the hash of what the client presents: the tokens still work.
    const userinfo = await client.fetchUserInfo(rp, tokens.access_token, tokens.claims()?.sub as string);
    assert.ok(userinfo.sub);
    assert.ok((await client.refreshTokenGrant(rp, refreshToken)).access_token);
  });
});
