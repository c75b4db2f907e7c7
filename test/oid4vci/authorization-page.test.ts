/**
 * The authorization page as a person sees it, in headless Chromium: a wallet's authorization
 * request (PKCE S256) opens the page with a QR code and a same-device link, axe-core finds no
 * violation, the project's wallet answers the cross-device login, and the page's script
 * continues by itself to the wallet's redirect URI. The wallet's DID holds a MembershipCredential
 * of the service but is no member of the registry: the answer is `error=access_denied`.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { createDidResolver } from '../../src/did/index.js';
import { walletLogin } from '../../src/wallet/login.js';
import { giveMembership, newWallet, type Running, startService } from '../oidc/support.js';
import { accessible, launchChromium } from '../support/chromium.js';
import { describeEachDatabase } from '../support/databases.js';

const REDIRECT = 'https://wallet.example/callback';

describeEachDatabase('the authorization page in a real browser (Chromium)', (fresh, kind) => {
  let browser: Browser | undefined;
  let running: Running | undefined;

  before(async function () {
    this.timeout(60_000);
    if (kind === 'postgres') this.skip(); // the page is the same on both; the flows run on both elsewhere
    browser = await launchChromium(this);
    running = await startService(await fresh());
  });
  after(async () => {
    await browser?.close();
    await running?.close();
  });

  it('shows the wallet login accessibly and continues by itself once the wallet has answered', async function () {
    this.timeout(60_000);
    const r = running as Running;
    const wallet = await newWallet();
    await giveMembership(r.service, wallet);
    const url = new URL(`${r.publicUrl}/oid4vci/authorize`);
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: 'https://wallet.example',
      redirect_uri: REDIRECT,
      code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
      code_challenge_method: 'S256',
      scope: 'MembershipCredential_dc+sd-jwt',
      state: 'abc',
    }))
      url.searchParams.set(name, value);
    const context = await (browser as Browser).newContext();
    const page = await context.newPage();
    await page.goto(url.href);
    assert.equal(await page.title(), 'Receive a credential');
    assert.ok(await page.locator('#qr svg').count());
    await accessible(page, 'the authorization page');
    const crossDevice = (await page.locator('#cross-device-url').textContent()) as string;
    // The redirect to the wallet's (unresolvable) host is observed, not loaded.
    const leaving = page.waitForRequest((request) => request.url().startsWith(REDIRECT), { timeout: 20_000 });
    await walletLogin(wallet, crossDevice, { resolver: createDidResolver({ developmentMode: true }) });
    const back = new URL((await leaving).url());
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.match(back.searchParams.get('error_description') ?? '', /not a member/);
    assert.equal(back.searchParams.get('state'), 'abc');
    await context.close();
  });
});
