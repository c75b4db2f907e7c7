/**
 * The citizen's dashboard as a person uses it (issue 11 items 5 and 9; issue 14 item 5): a
 * real headless Chromium opens the address printed in receipts, logs in with the holder wallet
 * (the `citizen` scope: a PersonIdentificationCredential from the development PID provider,
 * answered cross-device while the login page polls), sees the consent, downloads its receipt and
 * the export, withdraws it with the confirmation step; the receipt then verifies as revoked. axe-core
 * finds no violation on any page on the way.
 *
 * Needs Debian's chromium (`apt-get install chromium`); without it the suite is skipped with a
 * notice, as test/oidc/browser.test.ts is.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import type { Citizen } from '../../src/consent/index.js';
import { credentialView } from '../../src/credentials/verify/model.js';
import { openWallet, type Wallet } from '../../src/wallet/index.js';
import { citizenWallet } from '../consent/flow-support.js';
import {
  type ConsentWorld,
  consentWorld,
  DEV_PID_PASSPHRASE,
  DEV_PID_WALLET,
  give,
  publishParking,
} from '../consent/support.js';
import { accessible, launchChromium } from '../support/chromium.js';
import { describeEachDatabase } from '../support/databases.js';
import { dashboardLogin } from './support.js';

describeEachDatabase('the citizen’s dashboard in a real browser (Chromium)', (fresh) => {
  let browser: Browser | undefined;
  let world: ConsentWorld | undefined;
  let pidProvider: Wallet;

  before(async function () {
    this.timeout(180_000);
    browser = await launchChromium(this);
    world = await consentWorld(await fresh(), { listen: true });
    pidProvider = await openWallet({ dir: DEV_PID_WALLET, passphrase: DEV_PID_PASSPHRASE });
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  /** The register's Citizen of the wallet's PID, as the consent-giving flow establishes it. */
  async function citizenOf(wallet: Wallet): Promise<Citizen> {
    const live = world as ConsentWorld;
    const [pid] = wallet.credentials({ type: 'PersonIdentificationCredential' });
    assert.ok(pid);
    const payload = JSON.parse(Buffer.from(pid.jwt.split('.')[1] as string, 'base64url').toString('utf8'));
    return live.consent.citizenFromLogin({
      issuer: pidProvider.did,
      types: ['VerifiableCredential', 'PersonIdentificationCredential'],
      document: credentialView('jwt_vc_json', payload).document,
      holder: wallet.did,
    });
  }

  /**
   * On the dashboard, logged in: the consent is listed, its receipt and the export download, the
   * withdrawal's confirmation step withdraws it, the receipt then verifies as revoked; axe-core
   * on every page; logout ends the session here and at the provider.
   */
  async function journey(page: Page, consentId: string, receipt: string): Promise<void> {
    const live = world as ConsentWorld;
    const publicUrl = live.service.config.publicUrl;
    const row = page.locator(`tr[data-consent-id="${consentId}"]`);
    assert.match((await row.textContent()) ?? '', /City of Example/);
    assert.match((await row.textContent()) ?? '', /Active/);
    await accessible(page, 'the dashboard');

    const exported = await Promise.all([
      page.waitForEvent('download'),
      page.click('a[href$="/consents/export"]'),
    ]);
    const records = JSON.parse(readFileSync((await exported[0].path()) as string, 'utf8'));
    assert.match(records.schema_version, /^ISO\/IEC TS 27560/);

    await row.locator('a').click();
    await page.waitForURL(`${publicUrl}/portal/consents/${consentId}`);
    await accessible(page, 'the consent page');
    const download = await Promise.all([page.waitForEvent('download'), page.click('#download-receipt')]);
    const downloaded = readFileSync((await download[0].path()) as string, 'utf8');
    assert.equal(downloaded, receipt);

    await page.click('#withdraw');
    await accessible(page, 'the withdrawal’s confirmation');
    await page.click('#confirm-withdraw');
    await page.waitForURL(/\?done=withdrawn$/);
    assert.equal(await page.locator('#consent-status').textContent(), 'Withdrawn');
    assert.equal(await page.locator('#message').textContent(), 'Your consent is withdrawn.');
    await accessible(page, 'the withdrawn consent');

    const verified = await request(live.app)
      .post('/api/v1/credentials/verify')
      .send({ credential: downloaded })
      .expect(200);
    assert.equal(
      verified.body.checks.find((check: { check: string }) => check.check === 'status')?.code,
      'revoked',
    );

    await page.goto(`${publicUrl}/portal/account/erase`);
    await accessible(page, 'the erasure’s confirmation');
    await page.goto(`${publicUrl}/portal/consents/consent-unknown`);
    await accessible(page, 'a refusal');

    await page.click('button:has-text("Log out")');
    // The provider asks to confirm its own logout, then sends the browser back to the portal.
    await page.locator('button[autofocus], button[type="submit"]').first().click();
    await page.waitForURL(`${publicUrl}/portal/logged-out`, { timeout: 15_000 });
    await accessible(page, 'the logged-out page');
    await page.goto(`${publicUrl}/portal/consents`);
    assert.equal(await page.locator('#login').count(), 1, 'logged out');
  }

  it('logs in with the wallet, shows the consent, serves its receipt and the export, withdraws it; the receipt is then revoked', async function () {
    this.timeout(120_000);
    const live = world as ConsentWorld;
    const publicUrl = live.service.config.publicUrl;
    const wallet = await citizenWallet(`DEV-PORTAL-${Date.now()}`);
    const { consent, receipt } = await give(live, await publishParking(live), await citizenOf(wallet));

    const context = await (browser as Browser).newContext({ acceptDownloads: true });
    const page = await context.newPage();
    try {
      await dashboardLogin(page, publicUrl, wallet);
      await journey(page, consent.id, receipt);
    } finally {
      await context.close();
    }
  });
});
