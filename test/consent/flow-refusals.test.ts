/**
 * The consent flow's refusals (issue 11, "Bad input"), each with its code: an unregistered
 * redirect URI (the provider's `invalid_redirect_uri`, nothing sent to it), RFC 9396
 * `invalid_authorization_details` for a notice of another member, an unknown or superseded
 * version, a malformed detail, a missing `citizen` scope; the consent form without its CSRF
 * token; a replayed form (one record); the controller suspended during the flow.
 */
import { strict as assert } from 'node:assert';
import type * as client from 'openid-client';
import { ConsentRecordEntity } from '../../src/consent/entities.js';
import { appRequestRefusal, type NoticeView } from '../../src/consent/index.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  APP_REDIRECT,
  backAtApp,
  citizenWallet,
  consentForm,
  consentRequest,
  loginToConsentPage,
  memberApp,
  registerApp,
  submit,
} from './flow-support.js';
import {
  type ConsentWorld,
  consentWorld,
  decide,
  noticeStatement,
  parkingNotice,
  publishParking,
} from './support.js';

describeEachDatabase('consent flow refusals', (fresh) => {
  let world: ConsentWorld;
  let cityApp: client.Configuration;
  let notice: NoticeView;

  before(async function () {
    this.timeout(180_000);
    world = await consentWorld(await fresh(), { listen: true });
    await registerApp(world, world.city);
    await registerApp(world, world.utility);
    notice = await publishParking(world);
    cityApp = await memberApp(world, world.city);
  });
  after(async () => world?.close());

  const records = () => world.service.dataSource.getRepository(ConsentRecordEntity).count();

  /** The app's redirect after the authorization request, without any login: its error. */
  async function refusal(app: client.Configuration, details: unknown, extra: Record<string, string> = {}) {
    const started = await consentRequest(app, details, extra);
    const response = await fetch(started.url, { redirect: 'manual' });
    const location = response.headers.get('location') ?? '';
    assert.ok(location.startsWith(APP_REDIRECT), `an error for the app, not ${response.status} ${location}`);
    const url = new URL(location);
    return {
      error: url.searchParams.get('error'),
      description: url.searchParams.get('error_description') ?? '',
    };
  }

  it('refuses a redirect URI the member did not register with invalid_redirect_uri, sending nothing to it', async () => {
    const started = await consentRequest(cityApp, [{ type: 'dataspace_consent', notice_id: notice.id }], {
      redirect_uri: 'http://localhost:8999/elsewhere',
    });
    const response = await fetch(started.url, { redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /invalid_redirect_uri/);
  });

  it('refuses a notice of another member (notice_of_another_member)', async () => {
    const utilityApp = await memberApp(world, world.utility);
    const { error, description } = await refusal(utilityApp, [
      { type: 'dataspace_consent', notice_id: notice.id },
    ]);
    assert.equal(error, 'invalid_authorization_details');
    assert.match(description, /^notice_of_another_member:/);
  });

  it('refuses an unknown notice (notice_not_found) and an unknown version (notice_version_not_found)', async () => {
    const unknown = await refusal(cityApp, [{ type: 'dataspace_consent', notice_id: 'notice-nothing' }]);
    assert.equal(unknown.error, 'invalid_authorization_details');
    assert.match(unknown.description, /^notice_not_found:/);
    const version = await refusal(cityApp, [
      { type: 'dataspace_consent', notice_id: notice.id, notice_version: 99 },
    ]);
    assert.match(version.description, /^notice_version_not_found:/);
  });

  it('refuses a superseded version, naming it (notice_version_superseded)', async () => {
    const token = await noticeStatement(
      world.city,
      world.service.identity.did,
      parkingNotice([world.transit.did]),
    );
    const first = (await world.consent.notices.publishSigned(token)).notice;
    const second = await world.consent.notices.publishVersionSigned(
      first.id,
      await noticeStatement(
        world.city,
        world.service.identity.did,
        { ...parkingNotice([]), title: 'v2' },
        { noticeId: first.id },
      ),
    );
    assert.equal(second.notice.version, 2);
    const { error, description } = await refusal(cityApp, [
      { type: 'dataspace_consent', notice_id: first.id, notice_version: 1 },
    ]);
    assert.equal(error, 'invalid_authorization_details');
    assert.match(description, /^notice_version_superseded: version 1 of notice .* replaced by version 2/);
  });

  it('refuses a malformed detail, two notices and a scope without citizen', async () => {
    const extra = await refusal(cityApp, [
      { type: 'dataspace_consent', notice_id: notice.id, actions: ['x'] },
    ]);
    assert.match(extra.description, /^malformed_details:/);
    const two = await refusal(cityApp, [
      { type: 'dataspace_consent', notice_id: notice.id },
      { type: 'dataspace_consent', notice_id: notice.id },
    ]);
    assert.match(two.description, /^one_notice_only:/);
    const scope = await refusal(cityApp, [{ type: 'dataspace_consent', notice_id: notice.id }], {
      scope: 'openid',
    });
    assert.equal(scope.error, 'invalid_authorization_details');
    assert.match(scope.description, /^citizen_scope_required:/);
  });

  it('refuses the form without its CSRF token (csrf_token_invalid) and records nothing', async function () {
    this.timeout(60_000);
    const before = await records();
    const started = await consentRequest(cityApp, [{ type: 'dataspace_consent', notice_id: notice.id }]);
    const { browser, html } = await loginToConsentPage(world, started, await citizenWallet());
    const form = consentForm(html);
    const { csrf: _csrf, ...withoutToken } = form.fields;
    const purpose = Object.entries(form.purposes)[0] as [string, string];
    const response = await submit(world, browser, form, {
      ...withoutToken,
      [purpose[0]]: purpose[1],
      decision: 'accept',
    });
    assert.equal(response.status, 403);
    const body = (await response.json()) as { error: string; error_description: string };
    assert.match(body.error_description, /^csrf_token_invalid:/);
    assert.equal(await records(), before);
  });

  it('refuses a form posted from another site, token or not (cross_site_request), and records nothing', async function () {
    this.timeout(60_000);
    const before = await records();
    const started = await consentRequest(cityApp, [{ type: 'dataspace_consent', notice_id: notice.id }]);
    const { browser, html } = await loginToConsentPage(world, started, await citizenWallet());
    const form = consentForm(html);
    const purpose = Object.entries(form.purposes)[0] as [string, string];
    const values = { ...form.fields, [purpose[0]]: purpose[1], decision: 'accept' };
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of crossSite) {
      const response = await submit(world, browser, form, values, headers);
      assert.equal(response.status, 403);
      const body = (await response.json()) as { error: string; error_description: string };
      assert.match(body.error_description, /^cross_site_request:/);
    }
    assert.equal(await records(), before);
  });

  it('records a replayed form once', async function () {
    this.timeout(60_000);
    const before = await records();
    const started = await consentRequest(cityApp, [{ type: 'dataspace_consent', notice_id: notice.id }]);
    const { browser, html } = await loginToConsentPage(world, started, await citizenWallet());
    const form = consentForm(html);
    const purpose = Object.entries(form.purposes)[0] as [string, string];
    const values = { ...form.fields, [purpose[0]]: purpose[1], decision: 'accept' };
    const first = await submit(world, browser, form, values);
    const second = await submit(world, browser, form, values);
    assert.equal(first.status, 303);
    assert.equal(second.status, 303, 'answered again before the browser went on');
    await backAtApp(world, browser, second);
    const third = await submit(world, browser, form, values);
    assert.equal(third.status, 400, 'after the app got its code, the form is over');
    assert.match(
      ((await third.json()) as { error_description: string }).error_description,
      /^no_interaction:/,
    );
    assert.equal(await records(), before + 1);
  });

  it('refuses a controller that is not active (controller_not_active), also when it is suspended during the flow', async function () {
    this.timeout(120_000);
    const own = await world.consent.notices.publishByConnector(world.utility.did, parkingNotice([]));
    const utilityApp = await memberApp(world, world.utility);
    const before = await records();
    const started = await consentRequest(utilityApp, [
      { type: 'dataspace_consent', notice_id: own.notice.id },
    ]);
    const { browser, html } = await loginToConsentPage(world, started, await citizenWallet());
    const form = consentForm(html);
    await decide(world, 'suspend', world.utility.did);
    try {
      assert.match(
        (await appRequestRefusal(world.consent, world.deps.members, {
          controller: world.utility.did,
          noticeId: own.notice.id,
        })) ?? '',
        /^controller_not_active:/,
      );
      const purpose = Object.entries(form.purposes)[0] as [string, string];
      const response = await submit(world, browser, form, {
        ...form.fields,
        [purpose[0]]: purpose[1],
        decision: 'accept',
      });
      // The request ends with invalid_authorization_details; a suspended member is no client,
      // so the provider shows its error page instead of redirecting to the app.
      assert.equal(response.status, 303);
      const last = await browser.navigate(
        new URL(response.headers.get('location') as string, world.service.config.publicUrl).href,
      );
      assert.ok(!last.url.startsWith(APP_REDIRECT), 'nothing goes to a suspended member’s app');
      // The provider's page says what happened, in words and by code, under the service's CSP.
      const page = await last.response.text();
      assert.match(page, /<h1>Sign-in could not continue<\/h1>/);
      assert.match(page, /<code id="error-code">invalid_authorization_details<\/code>/);
      assert.match(page, /controller_not_active: the notice&#39;s controller/);
      const nonce = /<style nonce="([^"]+)">/.exec(page)?.[1];
      assert.ok(nonce, 'the inline style carries a nonce');
      assert.ok(last.response.headers.get('content-security-policy')?.includes(`'nonce-${nonce}'`));
      assert.equal(await records(), before);
    } finally {
      await decide(world, 'reinstate', world.utility.did);
    }
  });
});
