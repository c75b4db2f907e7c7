/**
 * The board's workspace in a real browser (issue 14 item 3, docs/portal.md "The board's
 * workspace"): board members log in with the holder wallet (scope `openid board`, the
 * BoardMemberCredential) and vote from the workspace; each vote is signed by the wallet as
 * OpenID4VP `transaction_data`, answered cross-device while the page polls. Two approvals
 * decide the motion; a recused member's vote is refused with a readable page. axe-core on every
 * page; a form without the CSRF token or from another site is refused, and no page may be framed.
 */
import { strict as assert } from 'node:assert';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { createDidResolver } from '../../src/did/index.js';
import type { TransactionDataView, Wallet } from '../../src/wallet/index.js';
import { walletLogin } from '../../src/wallet/index.js';
import {
  type Actor,
  anchorsDir,
  applicationCredential,
  legalPersonCredential,
  newActor,
  presentation,
} from '../governance/support.js';
import { newWallet, type Running, startService } from '../oidc/support.js';
import { accessible, launchChromium, WCAG_AA } from '../support/chromium.js';
import { describeEachDatabase } from '../support/databases.js';
import { errorCodeOf } from './support.js';

const ORG = { legalName: 'City of Example', registrationNumber: 'HRB 12345', country: 'DE' };

describeEachDatabase('the board’s workspace in a real browser (Chromium)', (fresh) => {
  let browser: Browser | undefined;
  let running: Running;
  let applicant: Actor;
  let motionId: string;
  const members: { wallet: Wallet; name: string }[] = [];
  let recused: Wallet;

  /** A board seat for a new wallet, and its BoardMemberCredential in the wallet. */
  async function seat(name: string, affiliations: string[] = []): Promise<Wallet> {
    const wallet = await newWallet();
    await running.service.governance.board.add({ did: wallet.did, name, affiliations, by: 'operator' });
    const seated = await running.service.governance.board.seat(wallet.did);
    const issued = await running.service.credentials.issuer.issue({
      type: 'BoardMemberCredential',
      format: 'jwt_vc_json',
      subject: { id: wallet.did, name, role: 'member', since: seated?.addedAt as string, seat: name },
    });
    await wallet.addCredential(issued.jwt);
    return wallet;
  }

  before(async function () {
    this.timeout(180_000);
    browser = await launchChromium(this);
    const register = await newActor();
    running = await startService(await fresh(), { TRUST_ANCHORS_DIR: anchorsDir(register) });
    applicant = await newActor();
    for (const name of ['Ada', 'Bruno', 'Chiara']) members.push({ wallet: await seat(name), name });
    recused = await seat('Dana', [applicant.did]);
    const app = running.service.app.callback();
    const { challenge } = (await request(app).get('/api/v1/membership/challenge').expect(200)).body;
    const vp = await presentation(applicant, running.service.identity.did, challenge, [
      await legalPersonCredential(register, applicant.did, ORG),
      await applicationCredential(applicant, ORG, ['public-authority']),
    ]);
    const applied = await request(app).post('/api/v1/membership/applications').send({ presentation: vp });
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    motionId = applied.body.motionId as string;
  });
  after(async () => {
    await browser?.close();
    await running?.close();
  });

  const resolver = () => createDidResolver({ developmentMode: true });

  /** The way in: the workspace's login, the provider's wallet-login page answered cross-device. */
  async function logIn(page: Page, wallet: Wallet): Promise<void> {
    await page.goto(`${running.publicUrl}/portal/board/workspace`);
    await accessible(page, 'the workspace’s way in');
    await page.click('#board-login');
    await page.waitForURL(/\/oidc\/interaction\//);
    await accessible(page, 'the wallet-login page', WCAG_AA);
    const crossDevice = ((await page.locator('#cross-device-url').textContent()) ?? '').trim();
    await walletLogin(wallet, crossDevice, { resolver: resolver() });
    await page.waitForURL(`${running.publicUrl}/portal/board/workspace`, { timeout: 30_000 });
    await accessible(page, 'the workspace');
  }

  /** Chooses a decision on the motion's form and lets the wallet sign it; the page then records it. */
  async function vote(
    page: Page,
    wallet: Wallet,
    decision: 'approve' | 'reject',
  ): Promise<TransactionDataView[]> {
    const form = page.locator(`form[action$="/motions/${motionId}/vote"]`);
    await form.locator(`input[value="${decision}"]`).check();
    await form.locator('textarea').fill('evidence checked');
    await form.locator('button[type="submit"]').click();
    await page.waitForSelector('#cross-device-url');
    await accessible(page, 'the signing page');
    const crossDevice = ((await page.locator('#cross-device-url').textContent()) ?? '').trim();
    const shown: TransactionDataView[] = [];
    await walletLogin(wallet, crossDevice, {
      resolver: resolver(),
      confirmTransactionData: (items) => {
        shown.push(...items);
        return true;
      },
    });
    return shown;
  }

  it('two board members log in and vote from the workspace; the motion is decided and its votes re-verifiable', async function () {
    this.timeout(180_000);
    for (const member of members.slice(0, 2)) {
      const context = await (browser as Browser).newContext();
      const page = await context.newPage();
      await logIn(page, member.wallet);
      assert.match((await page.locator('#board-member').textContent()) ?? '', new RegExp(member.name));
      assert.equal(await page.locator(`#motion-${motionId}`).count(), 1, 'the open motion is listed');
      const card = (await page.locator('section.motion').first().textContent()) ?? '';
      assert.match(card, /City of Example/, 'the application is shown');
      assert.match(card, /At least \d+ approvals/, 'the rule that applies is shown');
      assert.match(card, /Dana/, 'the recused board member is named');
      assert.ok((await page.locator('ul.checks li').count()) > 0, 'the evidence checks are shown');
      const shown = await vote(page, member.wallet, 'approve');
      assert.equal(shown.length, 1);
      assert.deepEqual(
        [shown[0]?.type, shown[0]?.motion, shown[0]?.decision],
        ['dataspace_vote', motionId, 'approve'],
      );
      // The page's script sees the wallet's answer, records the vote and shows the motion.
      await page.waitForURL(`${running.publicUrl}/portal/board/motions/${motionId}`, { timeout: 30_000 });
      await accessible(page, 'the motion page');
      await context.close();
    }
    const decided = await running.service.governance.engine.motion(motionId);
    assert.equal(decided.status, 'approved');
    assert.deepEqual(
      decided.votes.map((v) => v.voter).sort(),
      members
        .slice(0, 2)
        .map((m) => m.wallet.did)
        .sort(),
    );
    for (const v of decided.votes)
      assert.ok(v.transactionData, 'each vote keeps the item its presentation signs');
  });

  it('a recused board member’s vote is refused with a readable page (recused)', async function () {
    this.timeout(120_000);
    // A fresh motion on the same subject: a suspension the recused member's colleague opens.
    const app = running.service.app.callback();
    const open = await running.service.governance.engine.motions({ status: 'open' });
    assert.equal(open.length, 0);
    const context = await (browser as Browser).newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.setExtraHTTPHeaders({ 'Accept-Language': 'de' });
    const opener = members[2] as { wallet: Wallet };
    const statement = await opener.wallet.motion({
      service: running.service.identity.did,
      kind: 'suspend',
      subject: applicant.did,
      reason: 'test of recusal',
    });
    const opened = await request(app).post('/api/v1/motions').send({ motion: statement });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    motionId = opened.body.id as string;
    await logIn(page, recused);
    assert.equal(await page.locator(`#motion-${motionId}`).count(), 1);
    assert.ok((await page.locator('ul.history li').count()) > 0, 'the member’s history is shown');
    assert.match((await page.locator('section.motion').first().textContent()) ?? '', /befangen/i);
    await vote(page, recused, 'approve');
    await page.waitForSelector('#refusal', { timeout: 30_000 });
    await accessible(page, 'the refusal');
    assert.equal(errorCodeOf(await page.content()), 'recused');
    assert.match((await page.locator('#refusal').textContent()) ?? '', /befangen/);
    assert.equal((await running.service.governance.engine.motion(motionId)).votes.length, 0);
    await context.close();
  });

  it('refuses a vote form without the CSRF token or from another site, and may not be framed', async function () {
    this.timeout(60_000);
    const session = await running.service.portal.sessions.create({
      boardMember: (members[0] as { wallet: Wallet }).wallet.did,
    });
    const cookie = `portal_session=${session.id}`;
    const url = `${running.publicUrl}/portal/board/workspace/motions/${motionId}/vote`;
    const post = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: 'decision=approve',
      });
    const missing = await post({ origin: running.publicUrl });
    assert.equal(missing.status, 403);
    assert.equal(errorCodeOf(await missing.text()), 'csrf_token_missing');
    const crossSite = await post({ origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403);
    assert.equal(errorCodeOf(await crossSite.text()), 'cross_site_request');
    const workspace = await fetch(`${running.publicUrl}/portal/board/workspace`, { headers: { cookie } });
    assert.equal(workspace.status, 200);
    assert.match(workspace.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });
});
