/**
 * Opening motions from the board's workspace in a real browser (issue 14 item 3, docs/portal.md
 * "The board's workspace"; README "The same in a browser", the last step): a board member opens
 * a suspension of an active member with the "Open a motion" form; the holder wallet signs it as
 * OpenID4VP `transaction_data` (`dataspace_motion`), answering cross-device while the page polls;
 * two board members approve from the workspace and the member's page shows it suspended. Also:
 * axe-core on the new pages, the form refused without CSRF, a wallet that is not the logged-in
 * board member refused (`holder_mismatch`), a vote whose wallet answer the verifier refuses
 * shown with its code, a signing request bound to the browser that opened it (another board
 * member's browser, or one without a session, can neither poll nor spend it), and the session
 * kept in place meanwhile (the member's other tabs keep posting with their CSRF token).
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
import { accessible, launchChromium } from '../support/chromium.js';
import { describeEachDatabase } from '../support/databases.js';
import { csrfOf, errorCodeOf, screenshot } from './support.js';

const ORG = { legalName: 'City of Example', registrationNumber: 'HRB 12345', country: 'DE' };

describeEachDatabase('opening motions from the board’s workspace in a real browser (Chromium)', (fresh) => {
  let browser: Browser | undefined;
  let running: Running;
  let city: Actor;
  const board: Wallet[] = [];

  /** A board seat for a new wallet, and its BoardMemberCredential in the wallet. */
  async function seat(name: string): Promise<Wallet> {
    const wallet = await newWallet();
    await running.service.governance.board.add({ did: wallet.did, name, by: 'operator' });
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
    for (const name of ['Ada', 'Bruno', 'Chiara']) board.push(await seat(name));
    // The city applies and the board admits it with signed statements (the API's way).
    city = await newActor();
    const app = running.service.app.callback();
    const serviceDid = running.service.identity.did;
    const { challenge } = (await request(app).get('/api/v1/membership/challenge').expect(200)).body;
    const vp = await presentation(city, serviceDid, challenge, [
      await legalPersonCredential(register, city.did, ORG),
      await applicationCredential(city, ORG, ['public-authority']),
    ]);
    const applied = await request(app).post('/api/v1/membership/applications').send({ presentation: vp });
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    for (const member of board.slice(0, 2)) {
      const vote = await member.vote({
        service: serviceDid,
        motion: applied.body.motionId,
        decision: 'approve',
      });
      await request(app).post(`/api/v1/motions/${applied.body.motionId}/votes`).send({ vote }).expect(201);
    }
    assert.equal((await running.service.governance.members.get(city.did)).status, 'active');
  });
  after(async () => {
    await browser?.close();
    await running?.close();
  });

  const resolver = () => createDidResolver({ developmentMode: true });
  const crossDeviceOf = async (page: Page) =>
    ((await page.locator('#cross-device-url').textContent()) ?? '').trim();

  async function logIn(page: Page, wallet: Wallet): Promise<void> {
    await page.goto(`${running.publicUrl}/portal/board/workspace`);
    await page.click('#board-login');
    await page.waitForURL(/\/oidc\/interaction\//);
    await walletLogin(wallet, await crossDeviceOf(page), { resolver: resolver() });
    await page.waitForURL(`${running.publicUrl}/portal/board/workspace`, { timeout: 30_000 });
  }

  /**
   * Posts a form to `action` from `page` as the browser would (its cookie, its `Origin`), with
   * the CSRF token of the page it shows (if any); answers the status and the refusal's code.
   */
  async function postFrom(page: Page, action: string): Promise<{ status: number; code?: string }> {
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.content())?.[1];
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.evaluate(
        ({ action, csrf }) => {
          const form = document.createElement('form');
          form.method = 'post';
          form.action = action;
          if (csrf) {
            const field = document.createElement('input');
            field.type = 'hidden';
            field.name = 'csrf_token';
            field.value = csrf;
            form.append(field);
          }
          document.body.append(form);
          form.submit();
        },
        { action, csrf },
      ),
    ]);
    const code = errorCodeOf(await page.content());
    return { status: response?.status() ?? 0, ...(code ? { code } : {}) };
  }

  /** The wallet signs what the signing page asks; returns the items it was shown. */
  async function sign(page: Page, wallet: Wallet): Promise<TransactionDataView[]> {
    await page.waitForSelector('#cross-device-url');
    const shown: TransactionDataView[] = [];
    await walletLogin(wallet, await crossDeviceOf(page), {
      resolver: resolver(),
      confirmTransactionData: (items) => {
        shown.push(...items);
        return true;
      },
    });
    return shown;
  }

  it('a board member opens a suspension from the workspace, two approve there, and the member is shown suspended', async function () {
    this.timeout(180_000);
    const [ada, bruno] = board as [Wallet, Wallet, Wallet];
    const context = await (browser as Browser).newContext();
    const page = await context.newPage();
    await logIn(page, ada);
    await accessible(page, 'the workspace with the form to open a motion');
    const form = page.locator('#open-motion-form');
    await form.locator('select[name="kind"]').selectOption('suspend');
    await form.locator('select[name="member"]').selectOption(city.did);
    await form.locator('textarea[name="reason"]').fill('breach of the rulebook');
    await form.scrollIntoViewIfNeeded();
    await screenshot(page, 'workspace-open-motion', { keepScroll: true });
    await form.locator('button[type="submit"]').click();
    await page.waitForSelector('#cross-device-url');
    await accessible(page, 'the page that signs the motion');
    await screenshot(page, 'motion-sign');
    const shown = await sign(page, ada);
    assert.deepEqual(
      shown.map((item) => [item.type, item.kind, item.subject, item.reason]),
      [['dataspace_motion', 'suspend', city.did, 'breach of the rulebook']],
      'the wallet shows the motion it signs',
    );
    await page.waitForURL(/\/portal\/board\/motions\/motion-/, { timeout: 30_000 });
    const motionId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() as string);
    await accessible(page, 'the motion page with its opening');
    assert.equal(await page.locator('#opening .signed-item').count(), 1, 'the signed item is shown');
    const opened = await running.service.governance.engine.motion(motionId);
    assert.deepEqual([opened.kind, opened.subject, opened.openedBy], ['suspend', city.did, ada.did]);
    assert.ok(opened.openingTransactionData, 'the opening keeps the item its presentation signs');

    for (const [wallet, current] of [
      [ada, page],
      [bruno, undefined],
    ] as const) {
      const other = current ? undefined : await (browser as Browser).newContext();
      const voting = current ?? (await (other as NonNullable<typeof other>).newPage());
      if (current) await voting.goto(`${running.publicUrl}/portal/board/workspace`);
      else await logIn(voting, wallet);
      const vote = voting.locator(`form[action$="/motions/${motionId}/vote"]`);
      await vote.locator('input[value="approve"]').check();
      await vote.locator('button[type="submit"]').click();
      await sign(voting, wallet);
      await voting.waitForURL(`${running.publicUrl}/portal/board/motions/${motionId}`, { timeout: 30_000 });
      await other?.close();
    }
    assert.equal((await running.service.governance.engine.motion(motionId)).status, 'approved');
    await page.goto(`${running.publicUrl}/portal/members/${encodeURIComponent(city.did)}`);
    assert.equal((await page.locator('#member-status').textContent())?.trim(), 'Suspended');
    await context.close();
  });

  it('refuses a motion on a subject that already has one open (motion_open), in words with its code', async function () {
    this.timeout(120_000);
    const chiara = board[2] as Wallet;
    const serviceDid = running.service.identity.did;
    const statement = await chiara.motion({
      service: serviceDid,
      kind: 'reinstate',
      subject: city.did,
      reason: 'x',
    });
    await request(running.service.app.callback())
      .post('/api/v1/motions')
      .send({ motion: statement })
      .expect(201);
    const context = await (browser as Browser).newContext();
    const page = await context.newPage();
    await logIn(page, chiara);
    const form = page.locator('#open-motion-form');
    await form.locator('select[name="kind"]').selectOption('reinstate');
    await form.locator('input[name="subject"]').fill(city.did);
    await form.locator('textarea[name="reason"]').fill('the breach is mended');
    await form.locator('button[type="submit"]').click();
    await sign(page, chiara);
    await page.waitForSelector('#refusal', { timeout: 30_000 });
    await accessible(page, 'the refusal of a motion');
    assert.equal(errorCodeOf(await page.content()), 'motion_open');
    assert.match((await page.locator('h1').textContent()) ?? '', /Your motion was not opened/);
    assert.equal((await running.service.governance.engine.motions({ status: 'open' })).length, 1);
    await context.close();
  });

  it('shows the verifier’s refusal of a vote’s wallet answer (transaction_data_not_covered) with its code', async function () {
    this.timeout(120_000);
    const [motion] = await running.service.governance.engine.motions({ status: 'open' });
    assert.ok(motion);
    const bruno = board[1] as Wallet;
    const context = await (browser as Browser).newContext();
    const page = await context.newPage();
    await logIn(page, bruno);
    const vote = page.locator(`form[action$="/motions/${motion.id}/vote"]`);
    await vote.locator('input[value="approve"]').check();
    await vote.locator('button[type="submit"]').click();
    await page.waitForSelector('#cross-device-url');
    // An answer that signs another item than the vote asked for: the verifier refuses it.
    const link = await crossDeviceOf(page);
    const requestUri = new URL(link).searchParams.get('request_uri') as string;
    const jwt = await (await fetch(requestUri)).text();
    const requestObject = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
    const [item] = requestObject.transaction_data as string[];
    const asked = JSON.parse(Buffer.from(item as string, 'base64url').toString('utf8'));
    const other = Buffer.from(JSON.stringify({ ...asked, decision: 'reject' })).toString('base64url');
    const vp = await bruno.presentation({
      audience: requestObject.client_id as string,
      nonce: requestObject.nonce as string,
      credentials: bruno.credentials(),
      transactionData: [other],
    });
    const id = (requestObject.dcql_query as { credentials: { id: string }[] }).credentials[0]?.id as string;
    const posted = await fetch(requestObject.response_uri as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        vp_token: JSON.stringify({ [id]: [vp] }),
        state: requestObject.state as string,
      }),
    });
    assert.equal(posted.status, 400);
    // The page's poll sees the refusal and finishes: the refusal page, in words, with the code.
    await page.waitForSelector('#refusal', { timeout: 30_000 });
    await accessible(page, 'the refusal of a wallet answer');
    assert.equal(errorCodeOf(await page.content()), 'transaction_data_not_covered');
    assert.match((await page.locator('h1').textContent()) ?? '', /Your wallet’s answer was not accepted/);
    assert.match((await page.locator('#refusal').textContent()) ?? '', /did not sign the data shown to it/);
    assert.equal((await running.service.governance.engine.motion(motion.id)).votes.length, 0);
    await context.close();
  });

  it('refuses the form without the CSRF token, and a wallet that is not the board member logged in (holder_mismatch)', async function () {
    this.timeout(60_000);
    const [ada, bruno] = board as [Wallet, Wallet, Wallet];
    const session = await running.service.portal.sessions.create({ boardMember: ada.did });
    const cookie = `portal_session=${session.id}`;
    const post = (path: string, body: Record<string, string>) =>
      fetch(`${running.publicUrl}/portal/board/workspace${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, origin: running.publicUrl, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
    const fields = { kind: 'revoke', subject: city.did, reason: 'repeated breach' };
    const missing = await post('/motions', fields);
    assert.equal(missing.status, 403);
    assert.equal(errorCodeOf(await missing.text()), 'csrf_token_missing');
    const workspace = await (
      await fetch(`${running.publicUrl}/portal/board/workspace`, { headers: { cookie } })
    ).text();
    const csrf = csrfOf(workspace);
    const invalidKind = await post('/motions', { ...fields, kind: 'admit', csrf_token: csrf });
    assert.equal(invalidKind.status, 400);
    assert.equal(errorCodeOf(await invalidKind.text()), 'invalid_query');
    const notDids = await post('/motions', {
      ...fields,
      kind: 'add-board-member',
      name: 'Erin',
      affiliations: 'did:x:<b>bold</b>',
      csrf_token: csrf,
    });
    assert.equal(notDids.status, 400);
    const notDidsPage = await notDids.text();
    assert.equal(errorCodeOf(notDidsPage), 'invalid_query');
    assert.match(notDidsPage, /affiliations are at most 20 DIDs/);
    const started = await post('/motions', { ...fields, csrf_token: csrf });
    assert.equal(started.status, 200);
    const html = await started.text();
    const link = /<code id="cross-device-url">([^<]+)<\/code>/
      .exec(html)?.[1]
      ?.replaceAll('&amp;', '&') as string;
    await walletLogin(bruno, link, { resolver: resolver(), confirmTransactionData: () => true });
    const finishUrl = /<form id="finish" method="post" action="([^"]+)"/.exec(html)?.[1] as string;
    const finished = await fetch(`${running.publicUrl}${finishUrl}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: running.publicUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf_token: csrfOf(html) }),
    });
    assert.equal(finished.status, 403);
    assert.equal(errorCodeOf(await finished.text()), 'holder_mismatch');
    const open = await running.service.governance.engine.motions({ status: 'open' });
    assert.ok(!open.some((m) => m.kind === 'revoke'), 'no motion was opened');
  });

  it('polls and answers a vote’s signing request only in the browser that opened it (signing_unknown), the session kept in place', async function () {
    this.timeout(60_000);
    const [ada, bruno, chiara] = board as [Wallet, Wallet, Wallet];
    const statement = await bruno.motion({
      service: running.service.identity.did,
      kind: 'remove-board-member',
      subject: chiara.did,
      reason: 'has left',
    });
    const motion = (
      await request(running.service.app.callback())
        .post('/api/v1/motions')
        .send({ motion: statement })
        .expect(201)
    ).body as { id: string };
    const browserOf = async (did: string) => {
      const session = await running.service.portal.sessions.create({ boardMember: did });
      const cookie = `portal_session=${session.id}`;
      const workspace = await fetch(`${running.publicUrl}/portal/board/workspace`, { headers: { cookie } });
      return { cookie, csrf: csrfOf(await workspace.text()), session };
    };
    const post = (path: string, as: { cookie: string; csrf: string }, body: Record<string, string> = {}) =>
      fetch(`${running.publicUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie: as.cookie,
          origin: running.publicUrl,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ csrf_token: as.csrf, ...body }),
      });
    const poll = async (url: string, cookie: string) =>
      (await fetch(`${running.publicUrl}${url}/status`, { headers: { cookie } })).json();
    const opener = await browserOf(ada.did);
    const started = await post(`/portal/board/workspace/motions/${motion.id}/vote`, opener, {
      decision: 'reject',
    });
    assert.equal(started.status, 200);
    const html = await started.text();
    const finishUrl = /<form id="finish" method="post" action="([^"]+)"/.exec(html)?.[1] as string;
    // The request is kept in the session in place: no new cookie, the same CSRF token.
    assert.equal(started.headers.get('set-cookie'), null);
    assert.equal(csrfOf(html), opener.csrf);
    const other = await browserOf(bruno.did);
    assert.deepEqual(await poll(finishUrl, other.cookie), { status: 'unknown' });
    const taken = await post(finishUrl, other);
    assert.equal(taken.status, 400);
    assert.equal(errorCodeOf(await taken.text()), 'signing_unknown');
    assert.deepEqual(await poll(finishUrl, opener.cookie), { status: 'pending' });
    // The same session, its expiries unchanged, holding the request.
    const kept = await running.service.portal.sessions.find(opener.session.id);
    assert.equal(kept?.data.boardMember, ada.did);
    assert.deepEqual(kept?.data.signing, [finishUrl.split('/').pop()]);
    assert.equal(kept?.expiresAt.toISOString(), opener.session.expiresAt.toISOString());
    assert.equal(kept?.absoluteExpiresAt.toISOString(), opener.session.absoluteExpiresAt.toISOString());
  });

  it('binds a motion’s signing request to the browser that opened it: another board member’s browser and one without a session are refused (signing_unknown, login_required) and spend nothing; the first browser then completes', async function () {
    this.timeout(180_000);
    const [ada, bruno] = board as [Wallet, Wallet, Wallet];
    const context = await (browser as Browser).newContext();
    const page = await context.newPage();
    await logIn(page, ada);
    // Ada's page waits (its poll held at pending) while other browsers try her request.
    const statusRoute = '**/portal/board/workspace/sign/*/status';
    await context.route(statusRoute, (route) => route.fulfill({ json: { status: 'pending' } }));
    const form = page.locator('#open-motion-form');
    await form.locator('select[name="kind"]').selectOption('revoke');
    await form.locator('input[name="subject"]').fill(city.did);
    await form.locator('textarea[name="reason"]').fill('repeated breach of the rulebook');
    await form.locator('button[type="submit"]').click();
    const finishUrl = (await page.locator('#finish').getAttribute('action')) as string;
    await sign(page, ada);
    const state = finishUrl.split('/').pop() as string;
    assert.deepEqual(await running.service.oid4vp.signing.status(state), { status: 'presented' });

    // Another board member's browser, logged in, with its own session and CSRF token.
    const other = await (browser as Browser).newContext();
    const otherPage = await other.newPage();
    await logIn(otherPage, bruno);
    const otherPoll = await other.request.get(`${running.publicUrl}${finishUrl}/status`);
    assert.deepEqual(await otherPoll.json(), { status: 'unknown' });
    assert.deepEqual(await postFrom(otherPage, finishUrl), { status: 400, code: 'signing_unknown' });
    // A browser without a session.
    const none = await (browser as Browser).newContext();
    const nonePage = await none.newPage();
    await nonePage.goto(`${running.publicUrl}/portal/board/workspace`);
    const nonePoll = await none.request.get(`${running.publicUrl}${finishUrl}/status`);
    assert.equal(nonePoll.status(), 401);
    assert.equal(errorCodeOf(await nonePoll.text()), 'login_required');
    assert.deepEqual(await postFrom(nonePage, finishUrl), { status: 401, code: 'login_required' });
    assert.deepEqual(await running.service.oid4vp.signing.status(state), { status: 'presented' });
    assert.ok(
      !(await running.service.governance.engine.motions({ status: 'open' })).some((m) => m.kind === 'revoke'),
      'nothing was opened',
    );

    // Ada's own browser, its poll let through, finishes: the motion is opened.
    await context.unroute(statusRoute);
    await page.waitForURL(/\/portal\/board\/motions\/motion-/, { timeout: 30_000 });
    const motionId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() as string);
    const opened = await running.service.governance.engine.motion(motionId);
    assert.deepEqual([opened.kind, opened.subject, opened.openedBy], ['revoke', city.did, ada.did]);
    await Promise.all([context.close(), other.close(), none.close()]);
  });
  it('keeps the board member’s other tabs working: after a vote is opened in one tab, a form posted from another tab with the token it had succeeds, and the session id is unchanged', async function () {
    this.timeout(120_000);
    const ada = board[0] as Wallet;
    const [motion] = await running.service.governance.engine.motions({ status: 'open' });
    assert.ok(motion);
    const context = await (browser as Browser).newContext();
    const voting = await context.newPage();
    await logIn(voting, ada);
    // A second tab of the same browser shows the workspace (its form holds the session's CSRF token).
    const other = await context.newPage();
    await other.goto(`${running.publicUrl}/portal/board/workspace`);
    const cookieOf = async () => (await context.cookies()).find((c) => c.name === 'portal_session')?.value;
    const before = await cookieOf();
    assert.ok(before);
    // The first tab opens a vote: its signing request is kept in the session.
    const vote = voting.locator(`form[action$="/motions/${motion.id}/vote"]`);
    await vote.locator('input[value="approve"]').check();
    await vote.locator('button[type="submit"]').click();
    await voting.waitForSelector('#cross-device-url');
    const voteState = (await voting.locator('#finish').getAttribute('action'))?.split('/').pop();
    // The second tab, not reloaded, opens a motion with the token it had.
    const form = other.locator('#open-motion-form');
    await form.locator('select[name="kind"]').selectOption('revoke');
    await form.locator('input[name="subject"]').fill(city.did);
    await form.locator('textarea[name="reason"]').fill('a second tab');
    await form.locator('button[type="submit"]').click();
    await other.waitForSelector('#cross-device-url, #error-code');
    assert.equal(errorCodeOf(await other.content()), undefined, 'the second tab’s form is not refused');
    const motionState = (await other.locator('#finish').getAttribute('action'))?.split('/').pop();
    assert.equal(await cookieOf(), before, 'the session id is unchanged');
    const session = await running.service.portal.sessions.find(before);
    assert.deepEqual(session?.data.signing, [voteState, motionState]);
    await context.close();
  });
});
