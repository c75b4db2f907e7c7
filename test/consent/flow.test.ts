/**
 * A citizen gives consent through a member's app (issue 11 item 3; RFC 9396 rich authorization
 * requests; OpenID Connect Core §8.1 pairwise subjects): openid-client as the city's app
 * (`private_key_jwt` with the city's DID key, PKCE, `authorization_details` of type
 * `dataspace_consent`), the holder wallet with a PID from the development PID provider, the
 * login and consent pages driven over HTTP with a cookie jar, and the city's connector asking
 * the consent check about the subject the app was given.
 */
import { strict as assert } from 'node:assert';
import * as client from 'openid-client';
import request from 'supertest';
import { ConsentRecordEntity } from '../../src/consent/entities.js';
import type { NoticeView } from '../../src/consent/index.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  backAtApp,
  citizenWallet,
  consentForm,
  consentRequest,
  loginToConsentPage,
  memberApp,
  registerApp,
  submit,
} from './flow-support.js';
import { type ConsentWorld, connectorToken, consentWorld, publishParking } from './support.js';

describeEachDatabase('a citizen gives consent through the member app', (fresh) => {
  let world: ConsentWorld;
  let app: client.Configuration;
  let notice: NoticeView;

  before(async function () {
    this.timeout(180_000);
    world = await consentWorld(await fresh(), { listen: true });
    await registerApp(world, world.city);
    notice = await publishParking(world);
    app = await memberApp(world, world.city);
  });
  after(async () => world?.close());

  const details = (extra: Record<string, unknown> = {}) => [
    { type: 'dataspace_consent', notice_id: notice.id, ...extra },
  ];

  it('consents to one of two purposes: the app gets the consent id under the pairwise subject, which the check knows', async function () {
    this.timeout(60_000);
    const started = await consentRequest(app, details({ notice_version: notice.version }));
    const { browser, html } = await loginToConsentPage(world, started, await citizenWallet());
    assert.match(html, /City of Example asks for your consent/);
    assert.match(html, /Example Transit Ltd/, 'the recipient by its registered name');
    assert.match(html, /365 days/);
    assert.match(html, /\/consents/, 'how to withdraw');
    const form = consentForm(html);
    assert.equal(form.checked, 0, 'nothing pre-ticked');
    assert.deepEqual(Object.values(form.purposes), notice.purposes);
    const [first] = Object.entries(form.purposes);
    const response = await submit(world, browser, form, {
      ...form.fields,
      [first?.[0] as string]: first?.[1] as string,
      decision: 'accept',
    });
    const callback = await backAtApp(world, browser, response);
    const tokens = await client.authorizationCodeGrant(app, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    const granted = tokens.authorization_details as Record<string, unknown>[] | undefined;
    assert.ok(granted?.[0], JSON.stringify(tokens));
    const consentId = granted[0].consent_id as string;
    assert.deepEqual(granted[0].purposes, ['dpv:ServiceProvision']);
    assert.equal(granted[0].notice_id, notice.id);
    assert.ok(typeof granted[0].expires_at === 'string');
    const record = await world.service.dataSource
      .getRepository(ConsentRecordEntity)
      .findOneByOrFail({ id: consentId });
    const sub = tokens.claims()?.sub;
    assert.equal(sub, record.subjectId, 'the ID token sub is the register’s pairwise id for the city');
    const token = await connectorToken(world, world.city, 'consents:check');
    const question = { subject: sub, purpose: 'dpv:ServiceProvision', dataCategory: 'pd:Location' };
    const permitted = await request(world.app)
      .post('/api/v1/consents/check')
      .set('authorization', `Bearer ${token}`)
      .send(question)
      .expect(200);
    assert.equal(permitted.body.permitted, true);
    assert.equal(permitted.body.consentId, consentId);
    const other = await request(world.app)
      .post('/api/v1/consents/check')
      .set('authorization', `Bearer ${token}`)
      .send({ ...question, purpose: 'dpv:ImproveTransportMobility' })
      .expect(200);
    assert.deepEqual(other.body.reasons, [{ code: 'purpose_not_covered', consentId }]);
    // The app's access token opens no member API: it is no connector's.
    const api = await request(world.app)
      .post('/api/v1/consents/check')
      .set('authorization', `Bearer ${tokens.access_token}`)
      .send(question);
    assert.equal(api.status, 401);
    assert.equal(api.body.code, 'invalid_token');
  });

  it('declines: the app gets access_denied and nothing is recorded', async function () {
    this.timeout(60_000);
    const before = await world.service.dataSource.getRepository(ConsentRecordEntity).count();
    const started = await consentRequest(app, details());
    const { browser, html } = await loginToConsentPage(world, started, await citizenWallet());
    const form = consentForm(html);
    const callback = await backAtApp(
      world,
      browser,
      await submit(world, browser, form, { ...form.fields, decision: 'decline' }),
    );
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(await world.service.dataSource.getRepository(ConsentRecordEntity).count(), before);
  });
});
