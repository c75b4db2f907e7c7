/**
 * `prompt` and `max_age` (OpenID Connect Core 1.0 §3.1.2.1, §3.1.2.6): a browser that logged in
 * with its wallet keeps a session at the provider; a second authorization request reuses it
 * unless the relying party asks for a fresh authentication.
 */
import assert from 'node:assert/strict';
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
  type StartedLogin,
  startLogin,
  startService,
  walletUrls,
} from './support.js';

describeEachDatabase('prompt and max_age (OpenID Connect Core §3.1.2.1)', (fresh) => {
  let running: Running;
  let rp: client.Configuration;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
    rp = await relyingParty(running, ['membership']);
  });
  after(async () => running?.close());

  /** Where the browser lands for an authorization request: the wallet login page, or the relying party. */
  async function authorize(browser: Browser, extra: Record<string, string> = {}) {
    const started = await startLogin(rp, 'openid membership', extra);
    const landed = await browser.navigate(started.authorizationUrl.href);
    return { started, landed };
  }

  async function exchange(started: StartedLogin, url: string) {
    return client.authorizationCodeGrant(rp, new URL(url), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
  }

  /** A browser that logged in once with a fresh wallet; returns it with the first tokens. */
  async function loggedInBrowser() {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    const browser = new Browser(running.publicUrl);
    const first = await authorize(browser);
    assert.equal(first.landed.response.status, 200, 'the login page');
    await presentWith(browser, wallet, first.landed);
    return { browser, wallet };
  }

  /** The wallet answers the login page in `page`; the browser follows back to the relying party. */
  async function presentWith(
    browser: Browser,
    wallet: Awaited<ReturnType<typeof newWallet>>,
    page: { response: Response; url: string },
  ): Promise<string> {
    const { sameDevice } = walletUrls(await page.response.text());
    const result = await walletLogin(wallet, sameDevice, { resolver: running.service.credentials.resolver });
    const back = await browser.navigate(result.redirectUri as string);
    assert.ok(back.url.startsWith(REDIRECT_URI), back.url);
    return back.url;
  }

  const isLoginPage = (landed: { url: string }) =>
    new URL(landed.url).pathname.startsWith(`${new URL(running.issuer).pathname}/interaction/`);

  it('reuses the session: a second request without prompt goes straight back with a code, same sub', async () => {
    const { browser } = await loggedInBrowser();
    const first = await authorize(browser);
    assert.ok(first.landed.url.startsWith(REDIRECT_URI), `no wallet asked again, got ${first.landed.url}`);
    const firstTokens = await exchange(first.started, first.landed.url);
    const second = await authorize(browser);
    assert.ok(second.landed.url.startsWith(REDIRECT_URI));
    const secondTokens = await exchange(second.started, second.landed.url);
    assert.equal(secondTokens.claims()?.sub, firstTokens.claims()?.sub);
  });

  it('prompt=none with a session answers a code without any interaction', async () => {
    const { browser } = await loggedInBrowser();
    const { started, landed } = await authorize(browser, { prompt: 'none' });
    assert.ok(landed.url.startsWith(REDIRECT_URI));
    assert.ok((await exchange(started, landed.url)).access_token);
  });

  it('prompt=login forces a new wallet login, and auth_time moves on', async () => {
    const { browser, wallet } = await loggedInBrowser();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // auth_time has one-second resolution
    const { started, landed } = await authorize(browser, { prompt: 'login' });
    assert.ok(isLoginPage(landed), `the wallet login page, not ${landed.url}`);
    assert.equal(landed.response.status, 200);
    const tokens = await exchange(started, await presentWith(browser, wallet, landed));
    const reused = await authorize(browser, { max_age: '3600' });
    const before = (await exchange(reused.started, reused.landed.url)).claims()?.auth_time;
    assert.equal(tokens.claims()?.auth_time, before, 'the new login is the session now');
  });

  it('max_age=0 forces a new wallet login (§3.1.2.1: equivalent to prompt=login)', async () => {
    const { browser, wallet } = await loggedInBrowser();
    const { started, landed } = await authorize(browser, { max_age: '0' });
    assert.ok(isLoginPage(landed), `the wallet login page, not ${landed.url}`);
    const tokens = await exchange(started, await presentWith(browser, wallet, landed));
    assert.equal(typeof tokens.claims()?.auth_time, 'number', 'max_age requires auth_time in the ID token');
  });

  it('max_age=1 two seconds after the login forces a new one; a large max_age does not', async function () {
    this.timeout(20_000);
    const { browser } = await loggedInBrowser();
    const fresh = await authorize(browser, { max_age: '3600' });
    assert.ok(fresh.landed.url.startsWith(REDIRECT_URI));
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const stale = await authorize(browser, { max_age: '1' });
    assert.ok(isLoginPage(stale.landed), `the wallet login page, not ${stale.landed.url}`);
  });

  it('prompt=none without a session answers login_required at the redirect_uri', async () => {
    const browser = new Browser(running.publicUrl);
    const { started, landed } = await authorize(browser, { prompt: 'none' });
    const callback = new URL(landed.url);
    assert.ok(landed.url.startsWith(REDIRECT_URI));
    assert.equal(callback.searchParams.get('error'), 'login_required');
    assert.equal(callback.searchParams.get('state'), started.state);
    assert.equal(callback.searchParams.get('iss'), running.issuer);
  });

  it('prompt=none with max_age=0 answers login_required rather than asking the wallet', async () => {
    const { browser } = await loggedInBrowser();
    const { landed } = await authorize(browser, { prompt: 'none', max_age: '0' });
    assert.equal(new URL(landed.url).searchParams.get('error'), 'login_required');
  });
});
