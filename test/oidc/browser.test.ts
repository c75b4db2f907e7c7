/**
 * The login as a person sees it: a real headless Chromium opens the relying party's
 * authorization URL, the login page shows a QR code and a link, the wallet (the project's
 * own) answers the cross-device request, and the page's script takes the browser back to the
 * relying party, which gets an ID token with the organisation and roles.
 *
 * Needs Debian's chromium (`apt-get install chromium`; .ci/run installs it). Without it the
 * suite is skipped with a notice, outside CI and under it alike: it is the only suite that
 * depends on a browser binary rather than on the project's own code.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as client from 'openid-client';
import { type Browser, chromium } from 'playwright-core';
import { createDidResolver } from '../../src/did/index.js';
import { walletLogin } from '../../src/wallet/login.js';
import { accessible } from '../support/chromium.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  giveMembership,
  newWallet,
  ORGANISATION,
  REDIRECT_URI,
  type Running,
  relyingParty,
  startLogin,
  startService,
} from './support.js';

const CHROMIUM = '/usr/bin/chromium';

describeEachDatabase('wallet login in a real browser (Chromium)', (fresh, kind) => {
  let browser: Browser | undefined;
  let running: Running | undefined;

  before(async function () {
    this.timeout(60_000);
    if (!existsSync(CHROMIUM) || kind === 'postgres') {
      if (!existsSync(CHROMIUM))
        process.stderr.write(`\n  [skip] ${CHROMIUM} is not installed; the browser suite is skipped\n`);
      this.skip();
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    running = await startService(await fresh());
  });
  after(async () => {
    await browser?.close();
    await running?.close();
  });

  it('shows the QR code and link, and lands back at the relying party once the wallet has presented', async function () {
    this.timeout(90_000);
    const live = running as Running;
    const rp = await relyingParty(live, ['membership']);
    const wallet = await newWallet();
    await giveMembership(live.service, wallet);
    const started = await startLogin(rp, 'openid membership');

    const page = await (browser as Browser).newPage();
    const callback = page.waitForRequest((request) => request.url().startsWith(REDIRECT_URI), {
      timeout: 30_000,
    });
    await page.goto(started.authorizationUrl.href);
    assert.ok(await page.locator('svg').count(), 'the login page shows a QR code');
    const sameDevice = await page.locator('#same-device').getAttribute('href');
    assert.match(sameDevice ?? '', /^openid4vp:\/\//);
    const crossDevice = (await page.locator('#cross-device-url').textContent())?.trim() ?? '';

    const result = await walletLogin(wallet, crossDevice, {
      resolver: createDidResolver({ developmentMode: true }),
    });
    assert.equal(result.redirectUri, undefined, 'cross-device: the wallet is not redirected');

    // The page's own script polls with its interaction cookie and follows to the relying party.
    const landed = (await callback).url();
    const tokens = await client.authorizationCodeGrant(rp, new URL(landed), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const claims = tokens.claims();
    assert.equal(claims?.organisation, ORGANISATION);
    assert.deepEqual(claims?.roles, ['data-provider', 'public-authority']);
  });

  it('same-device: the wallet sends the browser that started the login to the redirect_uri, which lands at the relying party (no manual step)', async function () {
    this.timeout(90_000);
    const live = running as Running;
    const rp = await relyingParty(live, ['membership'], 'same-device-rp');
    const wallet = await newWallet();
    await giveMembership(live.service, wallet);
    const started = await startLogin(rp, 'openid membership');

    const page = await (browser as Browser).newPage();
    const callback = page.waitForRequest((request) => request.url().startsWith(REDIRECT_URI), {
      timeout: 30_000,
    });
    await page.goto(started.authorizationUrl.href);
    const sameDevice = (await page.locator('#same-device').getAttribute('href')) ?? '';
    const opened: string[] = [];
    const result = await walletLogin(wallet, sameDevice, {
      resolver: createDidResolver({ developmentMode: true }),
      // The browser opens the address as a system opener would hand it over.
      openInBrowser: async (url) => {
        opened.push(url);
        void page.goto(url).catch(() => {}); // the relying party's redirect URI serves nothing here
      },
    });
    assert.equal(result.opened, true);
    assert.deepEqual(opened, [result.redirectUri]);
    assert.match(result.redirectUri ?? '', /\/callback\?response_code=/);

    const landed = (await callback).url();
    const tokens = await client.authorizationCodeGrant(rp, new URL(landed), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    assert.equal(tokens.claims()?.organisation, ORGANISATION);
  });

  it('the login page has the portal’s frame, names the relying party as registered, speaks German on request, and is axe-clean', async function () {
    this.timeout(90_000);
    const live = running as Running;
    const registered = await live.service.oidc.clients.add({
      clientId: 'city-portal',
      clientName: 'City portal',
      redirectUris: [REDIRECT_URI],
      scopes: ['membership'],
    });
    const secret = registered.client_secret as string;
    const rp = await client.discovery(
      new URL(live.issuer),
      'city-portal',
      { client_secret: secret },
      client.ClientSecretBasic(secret),
      { execute: [client.allowInsecureRequests] },
    );
    const started = await startLogin(rp, 'openid membership');
    const context = await (browser as Browser).newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(started.authorizationUrl.href);
    assert.equal(
      (await page.locator('#client').textContent())?.trim(),
      'City portal asks you to log in with your wallet.',
    );
    assert.equal(
      await page.locator('header nav').count(),
      2,
      'the portal’s header: navigation and language switch',
    );
    assert.equal(await page.locator('main h1').count(), 1);
    assert.match((await page.locator('#scopes').textContent()) ?? '', /membership of the data space/);
    assert.equal(await page.getByText('city-portal', { exact: true }).count(), 0, 'no raw client id');
    await accessible(page, 'the wallet login page (English)');

    await page.getByRole('link', { name: 'Deutsch' }).click();
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    assert.equal(
      (await page.locator('#client').textContent())?.trim(),
      'City portal bittet Sie, sich mit Ihrer Wallet anzumelden.',
    );
    assert.match((await page.locator('#same-device').getAttribute('href')) ?? '', /^openid4vp:\/\//);
    await accessible(page, 'the wallet login page (German)');
    await context.close();
  });
});
