/**
 * The citizen's dashboard over HTTP (issue 11 items 5 and 9, "Bad input": cross-site requests
 * on the dashboard are refused): the list, a consent with its history, the receipt and the
 * export, withdrawal with its confirmation step, erasure; CSRF and provenance refusals change
 * nothing. The citizen's session is the one a login leaves (test/portal/support.ts).
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import type { Citizen, NoticeView } from '../../src/consent/index.js';
import { type ConsentWorld, consentWorld, give, newCitizen, publishParking } from '../consent/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { csrfOf, errorCodeOf, sessionCookie, sessionOf } from './support.js';

describeEachDatabase('the citizen’s dashboard', (fresh) => {
  let world: ConsentWorld;
  let notice: NoticeView;
  before(async function () {
    this.timeout(180_000);
    world = await consentWorld(await fresh());
    notice = await publishParking(world);
  });
  after(async () => world?.close());

  const get = (path: string, cookie: string) => request(world.app).get(path).set('Cookie', cookie);
  const statusCode = async (receipt: string): Promise<string | undefined> => {
    const answer = await request(world.app)
      .post('/api/v1/credentials/verify')
      .send({ credential: receipt })
      .expect(200);
    return answer.body.checks.find((check: { check: string }) => check.check === 'status')?.code;
  };

  async function citizenWithConsent(): Promise<{
    citizen: Citizen;
    cookie: string;
    id: string;
    receipt: string;
  }> {
    const citizen = await newCitizen();
    const { consent, receipt } = await give(world, notice, citizen);
    return { citizen, cookie: await sessionOf(world.service, citizen), id: consent.id, receipt };
  }

  describe('the address printed in receipts', () => {
    it('redirects /consents to the dashboard', async () => {
      const response = await request(world.app).get('/consents').expect(303);
      assert.equal(response.headers.location, '/portal/consents');
    });

    it('shows the way to log in without a session', async () => {
      const page = await request(world.app).get('/portal/consents').expect(200);
      assert.match(page.text, /href="\/portal\/login\?return=%2Fportal%2Fconsents"/);
      assert.match(page.headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    });
  });

  describe('reading', () => {
    it('lists every consent with the controller’s name, purposes in plain language, status and dates', async () => {
      const { cookie, id } = await citizenWithConsent();
      const page = await get('/portal/consents', cookie).expect(200);
      assert.match(page.headers['content-type'] ?? '', /text\/html/);
      assert.match(page.text, new RegExp(`data-consent-id="${id}"`));
      assert.match(page.text, /City of Example/);
      assert.match(page.text, /Park &amp; Ride app/);
      const vocabulary = await world.consent.vocabulary();
      for (const purpose of notice.purposes) {
        const label = vocabulary.purpose(purpose)?.label.en as string;
        assert.ok(page.text.includes(label.replace(/&/g, '&amp;')), `purpose ${purpose} as "${label}"`);
      }
      assert.match(page.text, />Active</);
      // Dates in the page's language (English by default: `Nov 28, 2026, 2:03 PM UTC`), the instant in `datetime`.
      assert.match(
        page.text,
        /<time datetime="[^"]+">[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d\s[AP]M UTC<\/time>/,
      );
    });

    it('shows one consent with its history and its receipt, and another citizen’s consent to nobody else (forbidden)', async () => {
      const { cookie, id, receipt } = await citizenWithConsent();
      const page = await get(`/portal/consents/${id}`, cookie).expect(200);
      assert.match(page.text, /<h1>Consent to City of Example<\/h1>/);
      assert.match(page.text, /Consent given/);
      const downloaded = await get(`/portal/consents/${id}/receipt`, cookie).expect(200);
      assert.equal(downloaded.text, receipt);
      assert.match(
        downloaded.headers['content-disposition'] ?? '',
        /^attachment; filename="consent-[\w-]+\.jwt"$/,
      );
      const stranger = await sessionOf(world.service, await newCitizen());
      const refused = await get(`/portal/consents/${id}`, stranger).expect(403);
      assert.equal(errorCodeOf(refused.text), 'forbidden');
      const refusedReceipt = await get(`/portal/consents/${id}/receipt`, stranger).expect(403);
      assert.equal(errorCodeOf(refusedReceipt.text), 'forbidden');
      const unknown = await get('/portal/consents/consent-nope', cookie).expect(404);
      assert.equal(errorCodeOf(unknown.text), 'consent_not_found');
    });

    it('exports every record of the citizen with ISO/IEC TS 27560 field names', async () => {
      const { cookie, id } = await citizenWithConsent();
      const response = await get('/portal/consents/export', cookie).expect(200);
      assert.match(
        response.headers['content-disposition'] ?? '',
        /^attachment; filename="consent-records.json"$/,
      );
      const exported = JSON.parse(response.text) as {
        schema_version: string;
        records: Record<string, unknown>[];
      };
      assert.match(exported.schema_version, /^ISO\/IEC TS 27560:2023/);
      assert.equal(exported.records.length, 1);
      assert.ok(JSON.stringify(exported.records[0]).includes(id));
    });

    it('asks for a login on every page and download without a session (login_required)', async () => {
      const { id } = await citizenWithConsent();
      for (const path of [
        `/portal/consents/${id}`,
        `/portal/consents/${id}/receipt`,
        '/portal/consents/export',
      ]) {
        const response = await request(world.app).get(path).expect(401);
        assert.equal(errorCodeOf(response.text), 'login_required', path);
      }
    });
  });

  describe('withdrawing (GDPR Art. 7(3): as easy as giving)', () => {
    it('confirms, then withdraws at once: the page says so and the receipt verifies as revoked', async () => {
      const { cookie, id, receipt } = await citizenWithConsent();
      const confirm = await get(`/portal/consents/${id}/withdraw`, cookie).expect(200);
      assert.match(
        confirm.text,
        /<form method="post" action="\/portal\/consents\/consent-[\w-]+\/withdraw">/,
      );
      assert.equal(await statusCode(receipt), undefined);
      const done = await request(world.app)
        .post(`/portal/consents/${id}/withdraw`)
        .set('Cookie', cookie)
        .set('Origin', world.service.config.publicUrl)
        .set('Sec-Fetch-Site', 'same-origin')
        .type('form')
        .send({ csrf_token: csrfOf(confirm.text) })
        .expect(303);
      assert.equal(done.headers.location, `/portal/consents/${id}?done=withdrawn`);
      const page = await get(done.headers.location as string, cookie).expect(200);
      assert.match(page.text, /<dd id="consent-status">Withdrawn<\/dd>/);
      assert.match(page.text, /Consent withdrawn/);
      assert.equal(await statusCode(receipt), 'revoked');
      const again = await request(world.app)
        .post(`/portal/consents/${id}/withdraw`)
        .set('Cookie', cookie)
        .type('form')
        .send({ csrf_token: csrfOf(confirm.text) })
        .expect(409);
      assert.equal(errorCodeOf(again.text), 'already_withdrawn');
    });

    describe('refuses a forged withdrawal, and nothing changes', () => {
      let target: { citizen: Citizen; cookie: string; id: string };
      let token: string;
      before(async () => {
        target = await citizenWithConsent();
        token = csrfOf((await get(`/portal/consents/${target.id}/withdraw`, target.cookie)).text);
      });
      afterEach(async () => {
        assert.equal((await world.consent.get(target.id, target.citizen)).status, 'given');
      });
      const post = (headers: Record<string, string>, form: Record<string, string>, cookie = target.cookie) =>
        request(world.app)
          .post(`/portal/consents/${target.id}/withdraw`)
          .set('Cookie', cookie)
          .set(headers)
          .type('form')
          .send(form);
      const refused = async (response: request.Response, status: number, code: string) => {
        assert.equal(response.status, status, response.text);
        assert.equal(errorCodeOf(response.text), code);
      };

      it('without the CSRF token (csrf_token_missing)', async () =>
        refused(await post({}, {}), 403, 'csrf_token_missing'));
      it('with a wrong CSRF token (csrf_token_invalid)', async () =>
        refused(await post({}, { csrf_token: `${token.slice(0, -2)}AA` }), 403, 'csrf_token_invalid'));
      it('with another session’s CSRF token (csrf_token_invalid)', async () => {
        const other = await sessionOf(world.service, target.citizen);
        const otherToken = csrfOf((await get(`/portal/consents/${target.id}/withdraw`, other)).text);
        assert.notEqual(otherToken, token);
        await refused(await post({}, { csrf_token: otherToken }), 403, 'csrf_token_invalid');
      });
      it('from another origin, even with the token (cross_site_request)', async () =>
        refused(
          await post({ Origin: 'https://evil.example' }, { csrf_token: token }),
          403,
          'cross_site_request',
        ));
      it('from an opaque origin (cross_site_request)', async () =>
        refused(await post({ Origin: 'null' }, { csrf_token: token }), 403, 'cross_site_request'));
      it('that the browser says is cross-site (cross_site_request)', async () =>
        refused(
          await post({ 'Sec-Fetch-Site': 'cross-site' }, { csrf_token: token }),
          403,
          'cross_site_request',
        ));
      it('without a session (login_required)', async () =>
        refused(await post({}, { csrf_token: token }, 'portal_session=none'), 401, 'login_required'));
      it('by another citizen with a valid session and token (forbidden)', async () => {
        const stranger = await sessionOf(world.service, await newCitizen());
        const strangerToken = csrfOf((await get('/portal/account/erase', stranger)).text);
        await refused(await post({}, { csrf_token: strangerToken }, stranger), 403, 'forbidden');
      });
    });
  });

  describe('erasing the account', () => {
    it('confirms, withdraws every active consent, ends every session of the citizen, and shows nothing after', async () => {
      const { citizen, cookie, receipt } = await citizenWithConsent();
      const elsewhere = await sessionOf(world.service, citizen);
      const confirm = await get('/portal/account/erase', cookie).expect(200);
      const response = await request(world.app)
        .post('/portal/account/erase')
        .set('Cookie', cookie)
        .set('Origin', world.service.config.publicUrl)
        .type('form')
        .send({ csrf_token: csrfOf(confirm.text) })
        .expect(200);
      assert.match(response.text, /Consents withdrawn: 1/);
      assert.equal(sessionCookie(response.headers['set-cookie']).value, '');
      assert.equal(await statusCode(receipt), 'revoked');
      for (const session of [cookie, elsewhere]) {
        const page = await get('/portal/consents', session).expect(200);
        assert.match(page.text, /id="login"/, 'logged out everywhere');
      }
      const fresh = await sessionOf(world.service, citizen);
      assert.match((await get('/portal/consents', fresh).expect(200)).text, /id="no-consents"/);
    });
  });
});
