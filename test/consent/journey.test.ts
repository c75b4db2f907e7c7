/**
 * The whole consent path (issue 11 "Done when"), on each database, in headless Chromium: the
 * city publishes a notice with two purposes through its connector and subscribes a webhook to
 * `consent.withdrawn`; its app (openid-client: private_key_jwt with the city's DID key, PKCE,
 * RFC 9396 `dataspace_consent` details) sends the citizen to the service, who logs in with the
 * holder wallet and consents to one purpose; the app exchanges its code for the consent id and
 * the pairwise `sub`; the connector check permits that purpose and not the other; the receipt
 * from the dashboard verifies; the citizen withdraws on the dashboard; then the check says
 * `withdrawn`, the receipt verifies as revoked, and the webhook has the signed withdrawal event
 * within 5 seconds. axe-core finds no violation on any page the citizen sees.
 *
 * The service runs its delivery worker (`sweeper`), as `start` does. Skipped with a notice when
 * /usr/bin/chromium is missing; PostgreSQL runs when TEST_POSTGRES_URL answers.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import type { Browser, BrowserContext } from 'playwright-core';
import request from 'supertest';
import { walletLogin } from '../../src/wallet/index.js';
import { eventOf, type Receiver, startReceiver, verifySet } from '../events/support.js';
import { dashboardLogin } from '../portal/support.js';
import { accessible, launchChromium, WCAG_AA } from '../support/chromium.js';
import { describeEachDatabase } from '../support/databases.js';
import { APP_REDIRECT, citizenWallet, consentRequest, memberApp, registerApp } from './flow-support.js';
import { type ConsentWorld, connectorToken, consentWorld, parkingNotice } from './support.js';

const GIVEN = 'dpv:ServiceProvision';
const NOT_GIVEN = 'dpv:ImproveTransportMobility';

describeEachDatabase('the consent journey end to end (Chromium, wallet, webhook)', (fresh) => {
  let browser: Browser | undefined;
  let world: ConsentWorld | undefined;
  let receiver: Receiver | undefined;
  const contexts: BrowserContext[] = [];

  before(async function () {
    this.timeout(180_000);
    browser = await launchChromium(this);
    world = await consentWorld(await fresh(), { listen: true, sweeper: true });
    receiver = await startReceiver();
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await receiver?.close();
    await world?.close();
  });

  it('notice, webhook, consent to one of two purposes, check, receipt, withdrawal on the dashboard, signed event', async function () {
    this.timeout(180_000);
    const live = world as ConsentWorld;
    const hook = receiver as Receiver;
    const publicUrl = live.service.config.publicUrl;
    const { city } = live;

    // 1. The city publishes a notice with two purposes through its connector.
    const published = await request(live.app)
      .post('/api/v1/notices')
      .set('authorization', `Bearer ${await connectorToken(live, city, 'notices')}`)
      .send({ notice: parkingNotice([live.transit.did]) })
      .expect(201);
    const notice = published.body as { id: string; version: number; controller: string; purposes: string[] };
    assert.equal(notice.controller, city.did);
    assert.deepEqual(notice.purposes, [GIVEN, NOT_GIVEN]);
    await registerApp(live, city);

    // 2. It subscribes its webhook endpoint to consent.withdrawn through the events API.
    const subscribed = await request(live.app)
      .post('/api/v1/events/subscriptions')
      .set('authorization', `Bearer ${await connectorToken(live, city, 'events')}`)
      .send({ url: hook.url, types: ['consent.withdrawn'] })
      .expect(201);
    assert.equal(subscribed.body.url, hook.url);
    assert.deepEqual(subscribed.body.types, ['consent.withdrawn']);
    assert.equal(subscribed.body.status, 'active');

    // 3. The app sends the citizen; wallet login (cross-device link of the login page); consent to one purpose.
    const app = await memberApp(live, city);
    const started = await consentRequest(app, [{ type: 'dataspace_consent', notice_id: notice.id }]);
    const wallet = await citizenWallet();
    const atApp = await (browser as Browser).newContext();
    contexts.push(atApp);
    const page = await atApp.newPage();
    const callback = page.waitForRequest((sent) => sent.url().startsWith(APP_REDIRECT), { timeout: 60_000 });
    await page.goto(started.url.href);
    await accessible(page, 'the wallet-login page of the consent request', WCAG_AA);
    const crossDevice = ((await page.locator('#cross-device-url').textContent()) ?? '').trim();
    const answered = await walletLogin(wallet, crossDevice, { resolver: live.service.credentials.resolver });
    assert.equal(answered.redirectUri, undefined, 'cross-device: the wallet is not redirected');
    await page.waitForURL(/\/interaction\/[^/]+\/consent$/, { timeout: 30_000 });
    assert.match((await page.locator('h1').textContent()) ?? '', /City of Example asks for your consent/);
    await accessible(page, 'the consent page');
    await page.check(`input[type=checkbox][value="${GIVEN}"]`);
    assert.equal(await page.isChecked(`input[type=checkbox][value="${NOT_GIVEN}"]`), false);
    await page.getByRole('button', { name: /Give consent/ }).click();
    const tokens = await client.authorizationCodeGrant(app, new URL((await callback).url()), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const [granted] = (tokens.authorization_details ?? []) as Record<string, unknown>[];
    const consentId = String(granted?.consent_id);
    assert.match(consentId, /^consent-/);
    assert.deepEqual(granted?.purposes, [GIVEN]);
    assert.equal(granted?.notice_id, notice.id);
    const subject = tokens.claims()?.sub;
    assert.ok(subject, 'the ID token names the citizen by a pairwise sub');
    assert.notEqual(subject, wallet.did, 'not the wallet’s DID');

    // 4. The app's connector check: permitted for the purpose given, purpose_not_covered for the other.
    const checkToken = await connectorToken(live, city, 'consents:check');
    const check = async (purpose: string) =>
      (
        await request(live.app)
          .post('/api/v1/consents/check')
          .set('authorization', `Bearer ${checkToken}`)
          .send({ subject, purpose, dataCategory: 'pd:Location' })
          .expect(200)
      ).body as { permitted: boolean; consentId?: string; reasons: { code: string; consentId: string }[] };
    const permitted = await check(GIVEN);
    assert.equal(permitted.permitted, true);
    assert.equal(permitted.consentId, consentId);
    assert.deepEqual(permitted.reasons, []);
    const other = await check(NOT_GIVEN);
    assert.equal(other.permitted, false);
    assert.deepEqual(other.reasons, [{ code: 'purpose_not_covered', consentId }]);

    // 5. Later, in another browser session: the dashboard, the receipt downloaded, verified.
    const later = await (browser as Browser).newContext({ acceptDownloads: true });
    contexts.push(later);
    const dashboard = await later.newPage();
    await dashboardLogin(dashboard, publicUrl, wallet);
    const row = dashboard.locator(`tr[data-consent-id="${consentId}"]`);
    assert.match((await row.textContent()) ?? '', /City of Example/);
    assert.match((await row.textContent()) ?? '', /Active/);
    await accessible(dashboard, 'the dashboard');
    await row.locator('a').click();
    await dashboard.waitForURL(`${publicUrl}/portal/consents/${consentId}`);
    await accessible(dashboard, 'the consent on the dashboard');
    const [download] = await Promise.all([
      dashboard.waitForEvent('download'),
      dashboard.click('#download-receipt'),
    ]);
    const receipt = readFileSync((await download.path()) as string, 'utf8').trim();
    const verify = async () =>
      (await request(live.app).post('/api/v1/credentials/verify').send({ credential: receipt }).expect(200))
        .body as {
        verified: boolean;
        types: string[];
        checks: { check: string; result: string; code?: string }[];
      };
    const valid = await verify();
    assert.equal(valid.verified, true, JSON.stringify(valid.checks));
    assert.ok(valid.types.includes('ConsentReceiptCredential'), `a consent receipt: ${valid.types}`);
    assert.equal(valid.checks.find((entry) => entry.check === 'status')?.result, 'passed');

    // 6. The citizen withdraws on the dashboard, with the confirmation step.
    assert.equal(hook.received.length, 0, 'nothing pushed before the withdrawal');
    await dashboard.click('#withdraw');
    await accessible(dashboard, 'the withdrawal’s confirmation');
    const withdrawnAt = Date.now();
    await dashboard.click('#confirm-withdraw');
    await dashboard.waitForURL(/\?done=withdrawn$/);
    assert.equal(await dashboard.locator('#consent-status').textContent(), 'Withdrawn');
    await accessible(dashboard, 'the withdrawn consent');

    // 7. The check says withdrawn, the receipt is revoked, the webhook has the signed event.
    const after = await check(GIVEN);
    assert.equal(after.permitted, false);
    assert.deepEqual(after.reasons, [{ code: 'withdrawn', consentId }]);
    const revoked = await verify();
    assert.equal(revoked.verified, false);
    assert.equal(revoked.checks.find((entry) => entry.check === 'status')?.code, 'revoked');

    await hook.waitFor(1, 10_000);
    const [pushed] = hook.received;
    assert.ok(pushed);
    assert.ok(
      pushed.at - withdrawnAt < 5_000,
      `pushed within 5 s of the withdrawal (${pushed.at - withdrawnAt} ms)`,
    );
    assert.equal(pushed.method, 'POST');
    assert.equal(pushed.headers['content-type'], 'application/secevent+jwt');
    const claims = await verifySet(live.service, pushed.body, city.did);
    assert.deepEqual(claims.sub_id, { format: 'opaque', id: consentId });
    const event = eventOf(pushed.body);
    assert.equal(event.type, 'consent.withdrawn');
    assert.equal(event.data?.consentId, consentId);
    assert.equal(event.data?.subject, subject);
    assert.equal(event.data?.noticeId, notice.id);
    assert.ok(Date.parse(String(event.data?.withdrawnAt)) <= Date.now(), 'withdrawnAt is a time');
    assert.ok(
      hook.received.every((entry) => eventOf(entry.body).type === 'consent.withdrawn'),
      'only the subscribed type is pushed (not consent.given)',
    );
  });
});
