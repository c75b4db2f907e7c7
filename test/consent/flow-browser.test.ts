/**
 * The consent flow in a real browser (issue 11 item 9): headless Chromium opens the city app's
 * authorization request, the citizen's wallet answers the login page's cross-device request,
 * the page's own script takes the browser on to the consent page, which axe-core finds free of
 * violations; the citizen ticks one purpose and gives consent; the app exchanges its code for
 * tokens carrying the consent id.
 *
 * Needs Debian's chromium (as test/oidc/browser.test.ts): skipped with a notice without it.
 * Runs on SQLite only, as that suite does: the page is the same on both databases, and the
 * flow over HTTP runs on both (flow.test.ts).
 */
import { strict as assert } from 'node:assert';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { walletLogin } from '../../src/wallet/index.js';
import { accessible, launchChromium } from '../support/chromium.js';
import { describeEachDatabase } from '../support/databases.js';
import { APP_REDIRECT, citizenWallet, consentRequest, memberApp, registerApp } from './flow-support.js';
import { type ConsentWorld, consentWorld, publishParking } from './support.js';

describeEachDatabase('the consent page in a real browser (Chromium, axe-core)', (fresh, kind) => {
  let browser: Browser | undefined;
  let world: ConsentWorld | undefined;

  before(async function () {
    this.timeout(180_000);
    if (kind === 'postgres') this.skip();
    browser = await launchChromium(this);
    world = await consentWorld(await fresh(), { listen: true });
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  it('logs the citizen in, shows an accessible consent page with nothing ticked, and returns the consent id to the app', async function () {
    this.timeout(120_000);
    const live = world as ConsentWorld;
    await registerApp(live, live.city);
    const notice = await publishParking(live);
    const app = await memberApp(live, live.city);
    const started = await consentRequest(app, [{ type: 'dataspace_consent', notice_id: notice.id }]);
    const wallet = await citizenWallet();

    const context = await (browser as Browser).newContext();
    const page = await context.newPage();
    const callback = page.waitForRequest((request) => request.url().startsWith(APP_REDIRECT), {
      timeout: 60_000,
    });
    await page.goto(started.url.href);
    const crossDevice = (await page.locator('#cross-device-url').textContent())?.trim() ?? '';
    await walletLogin(wallet, crossDevice, { resolver: live.service.credentials.resolver });
    // The login page's script polls and continues; the provider opens the consent interaction.
    await page.waitForURL(/\/interaction\/[^/]+\/consent$/, { timeout: 30_000 });
    assert.match((await page.locator('h1').textContent()) ?? '', /City of Example asks for your consent/);
    const boxes = page.locator('input[type=checkbox]');
    assert.equal(await boxes.count(), 2);
    for (let i = 0; i < 2; i++) assert.equal(await boxes.nth(i).isChecked(), false, 'nothing pre-ticked');
    await accessible(page, 'the consent page');
    await boxes.nth(0).check();
    await page.getByRole('button', { name: /Give consent/ }).click();

    const landed = new URL((await callback).url());
    const tokens = await client.authorizationCodeGrant(app, landed, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const [granted] = (tokens.authorization_details ?? []) as Record<string, unknown>[];
    assert.match(String(granted?.consent_id), /^consent-/);
    assert.deepEqual(granted?.purposes, [notice.purposes[0]]);
  });
});
