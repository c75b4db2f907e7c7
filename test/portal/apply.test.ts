/**
 * Applying for membership in a real browser (issue 14 item 2, docs/portal.md "Applying for
 * membership"): an organisation fills in the form, its holder wallet answers the OpenID4VP request
 * cross-device (it presents the evidence the rulebook asks for the roles chosen and signs the
 * form, the request's `transaction_data`, into the presentation), the page polls and submits the
 * application through the membership capability, and the status page follows it: checks, the
 * board's votes as they come, the decision, and the OpenID4VCI offer of the MembershipCredential,
 * which the same wallet redeems. axe-core on every page. Refusals carry their codes: a hash that
 * does not cover the form, a form changed after signing, a replayed answer, a form without its
 * CSRF token, a role the rulebook does not define.
 */
import { strict as assert } from 'node:assert';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { createDidResolver } from '../../src/did/index.js';
import {
  receiveCredential,
  type TransactionDataView,
  type Wallet,
  walletLogin,
} from '../../src/wallet/index.js';
import { type Actor, anchorsDir, legalPersonCredential, newActor } from '../governance/support.js';
import { newWallet, type Running, startService } from '../oidc/support.js';
import { accessible, launchChromium, WCAG_AA } from '../support/chromium.js';
import { describeEachDatabase } from '../support/databases.js';
import { csrfOf, errorCodeOf, screenshot } from './support.js';

const ORG = { legalName: 'City of Example', registrationNumber: 'HRB 12345', country: 'DE' };

describeEachDatabase('applying for membership in a real browser (Chromium)', (fresh) => {
  let browser: Browser | undefined;
  let running: Running;
  let register: Actor;
  const board: Wallet[] = [];
  const resolver = () => createDidResolver({ developmentMode: true });

  /** A wallet holding the register's LegalPersonCredential for `org`. */
  async function organisation(org = ORG): Promise<Wallet> {
    const wallet = await newWallet();
    await wallet.addCredential(await legalPersonCredential(register, wallet.did, org));
    return wallet;
  }

  /** A browser-like session: the form's cookie and CSRF token. */
  async function formSession(): Promise<{ cookie: string; csrf: string }> {
    const response = await fetch(`${running.publicUrl}/portal/apply`);
    assert.equal(response.status, 200);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
    return { cookie, csrf: csrfOf(await response.text()) };
  }

  /** Posts the application form as a browser would; answers the page. */
  async function postForm(
    session: { cookie: string; csrf: string },
    fields: Record<string, string>,
    withToken = true,
  ) {
    const response = await fetch(`${running.publicUrl}/portal/apply`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: session.cookie,
        origin: running.publicUrl,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        ...(withToken ? { csrf_token: session.csrf } : {}),
        legalName: ORG.legalName,
        registrationNumber: ORG.registrationNumber,
        country: 'de',
        email: 'data@city.example',
        ...fields,
      }).toString(),
    });
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] || session.cookie;
    return { status: response.status, html: await response.text(), cookie };
  }

  const crossDeviceOf = (html: string) => {
    const match = /<code id="cross-device-url">([^<]+)<\/code>/.exec(html);
    assert.ok(match?.[1], 'the page shows the cross-device link');
    return match[1].replaceAll('&amp;', '&');
  };

  /** The request object of a wallet link, decoded (its signature is the wallet's business). */
  async function requestObjectOf(link: string): Promise<Record<string, unknown>> {
    const requestUri = new URL(link).searchParams.get('request_uri') as string;
    const jwt = await (await fetch(requestUri)).text();
    return JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
  }

  before(async function () {
    this.timeout(180_000);
    browser = await launchChromium(this);
    register = await newActor();
    running = await startService(await fresh(), { TRUST_ANCHORS_DIR: anchorsDir(register) });
    for (const name of ['Ada', 'Bruno']) {
      const wallet = await newWallet();
      await running.service.governance.board.add({ did: wallet.did, name, affiliations: [], by: 'operator' });
      board.push(wallet);
    }
  });
  after(async () => {
    await browser?.close();
    await running?.close();
  });

  it('applies with the holder wallet answering cross-device; the board votes; the status page shows the decision and the credential offer', async function () {
    this.timeout(180_000);
    const applicant = await organisation();
    const context = await (browser as Browser).newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${running.publicUrl}/portal/apply`);
    await accessible(page, 'the application form');
    await page.fill('#legalName', ORG.legalName);
    await page.fill('#registrationNumber', ORG.registrationNumber);
    await page.fill('#country', ORG.country);
    await page.check('#role-public-authority');
    await page.fill('#email', 'data@city.example');
    await page.fill('#contactName', 'Legal department');
    await screenshot(page, 'apply');
    await page.click('#apply button[type="submit"]');
    await page.waitForSelector('#cross-device-url');
    await accessible(page, 'the signing page', WCAG_AA);
    const crossDevice = ((await page.locator('#cross-device-url').textContent()) ?? '').trim();
    const requestObject = await requestObjectOf(crossDevice);
    assert.deepEqual(
      (requestObject.dcql_query as { credentials: { meta: unknown }[] }).credentials.map((c) => c.meta),
      [{ type_values: [['LegalPersonCredential']] }],
      'the DCQL query asks for the evidence of the role chosen',
    );
    const shown: TransactionDataView[] = [];
    const answered = await walletLogin(applicant, crossDevice, {
      resolver: resolver(),
      confirmTransactionData: (items) => {
        shown.push(...items);
        return true;
      },
    });
    assert.equal(answered.redirectUri, undefined, 'cross-device: the wallet is not redirected');
    assert.equal(shown.length, 1);
    assert.equal(shown[0]?.type, 'dataspace_membership_application');
    assert.deepEqual(
      [shown[0]?.legalName, shown[0]?.registrationNumber, shown[0]?.country, shown[0]?.roles],
      [ORG.legalName, ORG.registrationNumber, ORG.country, ['public-authority']],
    );
    // The page's script sees the answer and submits the application: the status page follows.
    await page.waitForURL(/\/portal\/applications\/application-[0-9a-f-]+\/[A-Za-z0-9_-]{43}$/, {
      timeout: 30_000,
    });
    const statusUrl = page.url();
    await accessible(page, 'the status page (under review)');
    assert.equal(await page.locator('#application-status').getAttribute('data-status'), 'under_review');
    assert.ok((await page.locator('ul.checks li').count()) >= 5, 'the admission checks are shown');
    const applicationId = new URL(statusUrl).pathname.split('/')[3] as string;
    const application = await running.service.governance.applications.get(applicationId);
    assert.equal(application.applicant, applicant.did, 'the application is the wallet DID’s');
    assert.ok(application.motionId);

    // The board votes (signed statements through the API); the page shows each vote as it comes.
    const app = running.service.app.callback();
    for (const [index, member] of board.entries()) {
      const vote = await member.vote({
        service: running.service.identity.did,
        motion: application.motionId as string,
        decision: 'approve',
      });
      const cast: request.Response = await request(app)
        .post(`/api/v1/motions/${application.motionId}/votes`)
        .send({ vote });
      assert.equal(cast.status, 201, JSON.stringify(cast.body));
      await page.reload();
      assert.equal(await page.locator('#votes li').count(), index + 1);
    }
    assert.equal(await page.locator('#application-status').getAttribute('data-status'), 'approved');
    assert.match((await page.locator('#decision').textContent()) ?? '', /Approved/);
    await accessible(page, 'the status page (admitted)');
    await page.click('#make-offer');
    await page.waitForSelector('#offer-link');
    await accessible(page, 'the status page with the credential offer');
    await screenshot(page, 'application-status');
    const link = ((await page.locator('#offer-link').textContent()) ?? '').trim();
    assert.match(link, /^openid-credential-offer:\/\//);
    // The status page's address is a bearer secret: it offers only the configuration redeemed
    // with a proof by the applicant DID's own key, never a dc+sd-jwt one bound to any key.
    const params = new URL(link).searchParams;
    const byValue = params.get('credential_offer');
    const offered = byValue
      ? JSON.parse(byValue)
      : await (await fetch(params.get('credential_offer_uri') as string)).json();
    assert.deepEqual(offered.credential_configuration_ids, ['MembershipCredential_jwt_vc_json']);
    const txCode = ((await page.locator('#tx-code').textContent()) ?? '').trim();
    const received = await receiveCredential(applicant, link, { txCode });
    assert.equal(received.stored.length, 1);
    assert.equal(applicant.credentials({ type: 'MembershipCredential' }).length, 1);
    await context.close();

    // The address's key is the secret: a wrong one shows nothing.
    const wrong = await fetch(`${statusUrl.slice(0, -4)}AAAA`);
    assert.equal(wrong.status, 404);
    assert.equal(errorCodeOf(await wrong.text()), 'application_unknown');
  });

  it('speaks German to a German browser, on a phone, axe-clean', async function () {
    this.timeout(60_000);
    const context = await (browser as Browser).newContext({
      locale: 'de-DE',
      viewport: { width: 360, height: 740 },
      extraHTTPHeaders: { 'Accept-Language': 'de' },
    });
    const page = await context.newPage();
    await page.goto(`${running.publicUrl}/portal/apply`);
    assert.equal(await page.locator('h1').textContent(), 'Mitgliedschaft beantragen');
    await accessible(page, 'the application form in German');
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(scroll <= client, 'the form fits a phone’s width');
    await context.close();
  });

  it('refuses a form without the CSRF token (csrf_token_missing) and a role the rulebook does not define (unknown_role)', async function () {
    this.timeout(60_000);
    const session = await formSession();
    const missing = await postForm(session, { 'role-public-authority': 'on' }, false);
    assert.equal(missing.status, 403);
    assert.equal(errorCodeOf(missing.html), 'csrf_token_missing');
    const unknown = await postForm(session, { 'role-astronaut': 'on' });
    assert.equal(unknown.status, 422);
    assert.equal(errorCodeOf(unknown.html), 'unknown_role');
    assert.match(unknown.html, /value="City of Example"/, 'the form keeps what was typed');
  });

  it('answers a finish before the wallet has answered (signing_unknown) and polls only for this browser’s request', async function () {
    this.timeout(60_000);
    const session = await formSession();
    const started = await postForm(session, { 'role-public-authority': 'on' });
    const finishUrl = /<form id="finish" method="post" action="([^"]+)"/.exec(started.html)?.[1] as string;
    const early = await fetch(`${running.publicUrl}${finishUrl}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: started.cookie,
        origin: running.publicUrl,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ csrf_token: csrfOf(started.html) }),
    });
    assert.equal(early.status, 400);
    assert.equal(errorCodeOf(await early.text()), 'signing_unknown');
    const poll = `${running.publicUrl}${finishUrl}/status`;
    assert.deepEqual(await (await fetch(poll, { headers: { cookie: started.cookie } })).json(), {
      status: 'pending',
    });
    const other = await formSession();
    assert.deepEqual(await (await fetch(poll, { headers: { cookie: other.cookie } })).json(), {
      status: 'unknown',
    });
  });

  it('shows the verifier’s refusal of evidence from an untrusted issuer (untrusted_issuer): the poll says refused, the finish page says why, nothing is submitted, and the wallet may be asked again', async function () {
    this.timeout(60_000);
    // The organisation's LegalPersonCredential, issued by a register the data space does not trust.
    const forger = await newActor();
    const applicant = await newWallet();
    await applicant.addCredential(await legalPersonCredential(forger, applicant.did, ORG));
    const session = await formSession();
    const started = await postForm(session, { 'role-public-authority': 'on' });
    assert.equal(started.status, 200);
    await assert.rejects(
      walletLogin(applicant, crossDeviceOf(started.html), {
        resolver: resolver(),
        confirmTransactionData: () => true,
      }),
      (error: { status: number; code: string; message: string }) => {
        assert.equal(error.status, 400);
        assert.equal(error.code, 'access_denied');
        assert.match(error.message, /^untrusted_issuer: /);
        return true;
      },
    );

    const finishUrl = /<form id="finish" method="post" action="([^"]+)"/.exec(started.html)?.[1] as string;
    const poll = await fetch(`${running.publicUrl}${finishUrl}/status`, {
      headers: { cookie: started.cookie },
    });
    assert.deepEqual(await poll.json(), { status: 'refused', code: 'untrusted_issuer' });

    const post = (path: string, html = started.html) =>
      fetch(`${running.publicUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie: started.cookie,
          origin: running.publicUrl,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ csrf_token: csrfOf(html) }),
      });
    const finished = await post(finishUrl);
    assert.equal(finished.status, 403);
    const refusedPage = await finished.text();
    assert.equal(errorCodeOf(refusedPage), 'untrusted_issuer');
    assert.match(refusedPage, /The trust service did not accept what your wallet presented:/);
    assert.match(refusedPage, /does not trust for that kind of credential/);
    assert.doesNotMatch(
      refusedPage,
      /the presentation did not verify/,
      'no verifier detail, only fixed words',
    );
    const param = running.service.dataSource.options.type === 'postgres' ? '$1' : '?';
    const rows = (await running.service.dataSource.query(
      `SELECT COUNT(*) AS n FROM membership_application WHERE applicant = ${param}`,
      [applicant.did],
    )) as { n: number | string }[];
    assert.equal(Number(rows[0]?.n), 0, 'nothing was submitted');
    // The transaction keeps the code only, never what the wallet presented.
    const state = new URL(
      new URL(crossDeviceOf(started.html)).searchParams.get('request_uri') as string,
    ).pathname.split('/')[3] as string;
    const [kept] = (await running.service.dataSource.query(
      `SELECT status, result, refusal_code FROM oid4vp_transaction WHERE state = ${param}`,
      [state],
    )) as { status: string; result: string | null; refusal_code: string }[];
    assert.deepEqual({ ...kept }, { status: 'refused', result: null, refusal_code: 'untrusted_issuer' });

    // The page offers a fresh request for the same application.
    const againUrl = /<form id="again" method="post" action="([^"]+)"/.exec(refusedPage)?.[1] as string;
    assert.equal(againUrl, `${finishUrl}/again`);
    const again = await post(againUrl, refusedPage);
    assert.equal(again.status, 200);
    const fresh = await again.text();
    const freshCookie = (again.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const freshFinish = /<form id="finish" method="post" action="([^"]+)"/.exec(fresh)?.[1] as string;
    assert.notEqual(freshFinish, finishUrl, 'a fresh signing request');
    const freshRequest = await requestObjectOf(crossDeviceOf(fresh));
    assert.equal(
      decode((freshRequest.transaction_data as string[])[0] as string).legalName,
      ORG.legalName,
      'for the same application',
    );
    const statusOf = async (url: string) =>
      (await fetch(`${running.publicUrl}${url}/status`, { headers: { cookie: freshCookie } })).json();
    assert.deepEqual(await statusOf(freshFinish), { status: 'pending' });
    assert.deepEqual(await statusOf(finishUrl), { status: 'unknown' }, 'the refused request is closed');
  });

  it('asks again only after a refusal (signing_unknown)', async function () {
    this.timeout(60_000);
    const session = await formSession();
    const started = await postForm(session, { 'role-public-authority': 'on' });
    const finishUrl = /<form id="finish" method="post" action="([^"]+)"/.exec(started.html)?.[1] as string;
    const again = await fetch(`${running.publicUrl}${finishUrl}/again`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: started.cookie,
        origin: running.publicUrl,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ csrf_token: csrfOf(started.html) }),
    });
    assert.equal(again.status, 400);
    assert.equal(errorCodeOf(await again.text()), 'signing_unknown');
  });

  it('refuses an answer whose transaction_data hash does not cover the form (transaction_data_not_covered)', async function () {
    this.timeout(60_000);
    const applicant = await organisation();
    const session = await formSession();
    const started = await postForm(session, { 'role-public-authority': 'on' });
    assert.equal(started.status, 200);
    const requestObject = await requestObjectOf(crossDeviceOf(started.html));
    const [item] = requestObject.transaction_data as string[];
    const other = Buffer.from(JSON.stringify({ ...decode(item as string), legalName: 'Evil Corp' })).toString(
      'base64url',
    );
    const vp = await applicant.presentation({
      audience: requestObject.client_id as string,
      nonce: requestObject.nonce as string,
      credentials: applicant.credentials(),
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
    const body = (await posted.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'access_denied');
    assert.match(body.error_description, /^transaction_data_not_covered:/);
    const finishUrl = /<form id="finish" method="post" action="([^"]+)"/.exec(started.html)?.[1] as string;
    const poll = await fetch(`${running.publicUrl}${finishUrl}/status`, {
      headers: { cookie: started.cookie },
    });
    assert.deepEqual(await poll.json(), { status: 'refused', code: 'transaction_data_not_covered' });
  });

  it('refuses a replayed wallet answer (replayed) and a form changed after the wallet signed it (application_not_signed)', async function () {
    this.timeout(60_000);
    const applicant = await organisation({ ...ORG, legalName: 'Town of Sample' });
    const session = await formSession();
    const started = await postForm(session, {
      'role-public-authority': 'on',
      legalName: 'Town of Sample',
    });
    const crossDevice = crossDeviceOf(started.html);
    let answer: { url: string; body: string } | undefined;
    await walletLogin(applicant, crossDevice, {
      resolver: resolver(),
      confirmTransactionData: () => true,
      fetch: async (input, init) => {
        if (init?.method === 'POST') answer = { url: String(input), body: String(init.body) };
        return fetch(input, init);
      },
    });
    assert.ok(answer);
    const replayed = await fetch(answer.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: answer.body,
    });
    assert.equal(replayed.status, 400);
    const refusal = (await replayed.json()) as { error: string; error_description: string };
    assert.equal(refusal.error, 'invalid_request');
    assert.match(refusal.error_description, /^replayed:/);

    // The verified answer, its item changed afterwards: membership finds it unsigned.
    const form = new URLSearchParams(answer.body);
    const [presentation] =
      Object.values(JSON.parse(form.get('vp_token') as string) as Record<string, string[]>)[0] ?? [];
    const vpPayload = decode((presentation as string).split('.')[1] as string);
    const item = Buffer.from(
      JSON.stringify({
        type: 'dataspace_membership_application',
        credential_ids: ['evidence-legalpersoncredential'],
        legalName: 'Evil Corp',
        registrationNumber: ORG.registrationNumber,
        country: ORG.country,
        roles: ['public-authority'],
        contact: { email: 'data@city.example' },
      }),
    ).toString('base64url');
    await assert.rejects(
      running.service.governance.applications.submitPresented({
        presentation: presentation as string,
        transactionData: item,
        nonce: vpPayload.nonce as string,
      }),
      { code: 'application_not_signed' },
    );

    // The page's own finish, twice: the first submits and moves the browser to a new session; the
    // same form again is refused, and the wallet's answer made one application only.
    const finishUrl = /<form id="finish" method="post" action="([^"]+)"/.exec(started.html)?.[1] as string;
    const csrf = csrfOf(started.html);
    const finish = () =>
      fetch(`${running.publicUrl}${finishUrl}`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie: started.cookie,
          origin: running.publicUrl,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ csrf_token: csrf }),
      });
    const first = await finish();
    assert.equal(first.status, 303, await first.text());
    const second = await finish();
    assert.equal(second.status, 403);
    assert.equal(errorCodeOf(await second.text()), 'csrf_token_invalid');
    await assert.rejects(running.service.oid4vp.signing.take(form.get('state') as string), {
      error: 'invalid_request',
    });
  });
});

function decode(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}
