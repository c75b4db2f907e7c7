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
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import request from 'supertest';
import type { Citizen } from '../../src/consent/index.js';
import { credentialView } from '../../src/credentials/verify/model.js';
import { createDidResolver } from '../../src/did/index.js';
import { createWallet, openWallet, type Wallet } from '../../src/wallet/index.js';
import { walletLogin } from '../../src/wallet/login.js';
import {
  type ConsentWorld,
  consentWorld,
  DEV_PID_PASSPHRASE,
  DEV_PID_WALLET,
  give,
  publishParking,
} from '../consent/support.js';
import { describeEachDatabase } from '../support/databases.js';

const CHROMIUM = '/usr/bin/chromium';

/** Asserts that axe-core (WCAG 2.x A and AA rules) finds no violation on the page as it is now. */
async function accessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  assert.deepEqual(
    results.violations.map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target).join(' ')}`,
    ),
    [],
    `axe-core violations on ${what}`,
  );
}

describeEachDatabase('the citizen’s dashboard in a real browser (Chromium)', (fresh) => {
  let browser: Browser | undefined;
  let world: ConsentWorld | undefined;
  let pidProvider: Wallet;

  before(async function () {
    this.timeout(180_000);
    if (!existsSync(CHROMIUM)) {
      process.stderr.write(`\n  [skip] ${CHROMIUM} is not installed; the browser suite is skipped\n`);
      this.skip();
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    world = await consentWorld(await fresh(), { listen: true });
    pidProvider = await openWallet({ dir: DEV_PID_WALLET, passphrase: DEV_PID_PASSPHRASE });
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  /** A holder wallet with a PID of the development provider. */
  async function citizenWallet(identifier: string): Promise<Wallet> {
    const wallet = await createWallet({
      dir: join(mkdtempSync(join(tmpdir(), 'dst-portal-citizen-')), 'w'),
      passphrase: 'a citizen wallet passphrase',
    });
    await wallet.addCredential(
      await pidProvider.issueCredential({
        type: 'PersonIdentificationCredential',
        format: 'jwt_vc_json',
        subject: {
          id: wallet.did,
          personalIdentifier: identifier,
          givenName: 'Erika',
          familyName: 'Mustermann',
        },
      }),
    );
    return wallet;
  }

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
      await page.goto(`${publicUrl}/consents`);
      assert.equal(new URL(page.url()).pathname, '/portal/consents');
      await accessible(page, 'the way in');

      await page.click('#login');
      await page.waitForURL(/\/oidc\/interaction\//);
      await accessible(page, 'the wallet-login page');
      const crossDevice = ((await page.locator('#cross-device-url').textContent()) ?? '').trim();
      const answered = await walletLogin(wallet, crossDevice, {
        resolver: createDidResolver({ developmentMode: true }),
      });
      assert.equal(answered.redirectUri, undefined, 'cross-device: the wallet is not redirected');
      // The login page's script sees the answer, the provider sends the browser to the portal's callback.
      await page.waitForURL(`${publicUrl}/portal/consents`, { timeout: 30_000 });
      await journey(page, consent.id, receipt);
    } finally {
      await context.close();
    }
  });
});
