/**
 * The member's app as a relying party, step one (issue 11 item 3): the member registers the
 * redirect URIs of its app through its connector (`PUT /api/v1/connectors/me/redirect-uris`,
 * scope `notices`); the rules for a redirect URI (RFC 6749 §3.1.2: absolute, no fragment;
 * https outside development mode; exact, canonical); every change audited. Answers validated
 * against the OpenAPI description.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { AuditEntryEntity } from '../../src/audit/entities.js';
import { ProblemError } from '../../src/http/errors.js';
import { OPENAPI_PATH } from '../../src/http/openapi/index.js';
import { checkRedirectUris, REDIRECT_URIS_SET } from '../../src/oidc/redirect-uris.js';
import { type Document, ResponseChecker } from '../http/openapi-check.js';
import { describeEachDatabase } from '../support/databases.js';
import { type ConsentWorld, connectorToken, consentWorld } from './support.js';

const PATH = '/api/v1/connectors/me/redirect-uris';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ProblemError ? error.code : `not a problem: ${String(error)}`;
  }
  return undefined;
}

describe('redirect URI rules (RFC 6749 §3.1.2)', () => {
  const check =
    (uris: unknown[], development = false) =>
    () =>
      checkRedirectUris({ redirectUris: uris }, development);
  it('accepts https, and http in development mode only', () => {
    assert.deepEqual(check(['https://app.example/cb'])(), ['https://app.example/cb']);
    assert.deepEqual(check(['http://localhost:8999/cb'], true)(), ['http://localhost:8999/cb']);
    assert.equal(codeOf(check(['http://app.example/cb'])), 'invalid_redirect_uri');
  });
  it('refuses a fragment', () =>
    assert.equal(codeOf(check(['https://app.example/cb#x'])), 'invalid_redirect_uri'));
  it('refuses user info', () =>
    assert.equal(codeOf(check(['https://user:pw@app.example/cb'])), 'invalid_redirect_uri'));
  it('refuses a non-canonical form', () =>
    assert.equal(codeOf(check(['https://APP.example/cb'])), 'invalid_redirect_uri'));
  it('refuses a relative URL', () => assert.equal(codeOf(check(['/cb'])), 'invalid_redirect_uri'));
  it('refuses another scheme', () =>
    assert.equal(codeOf(check(['myapp://cb'], true)), 'invalid_redirect_uri'));
  it('refuses a duplicate', () =>
    assert.equal(
      codeOf(check(['https://app.example/cb', 'https://app.example/cb'])),
      'invalid_redirect_uri',
    ));
  it('refuses a non-string', () => assert.equal(codeOf(check([42])), 'invalid_redirect_uri'));
  it('refuses more than ten', () =>
    assert.equal(
      codeOf(check(Array.from({ length: 11 }, (_, i) => `https://app.example/${i}`))),
      'invalid_request',
    ));
  it('refuses a body without a list', () =>
    assert.equal(
      codeOf(() => checkRedirectUris({ redirectUris: 'https://app.example/cb' }, false)),
      'invalid_request',
    ));
});

describeEachDatabase('the member app registers its redirect URIs', (fresh) => {
  let world: ConsentWorld;
  let checker: ResponseChecker;
  before(async function () {
    this.timeout(180_000);
    world = await consentWorld(await fresh(), { listen: true });
    const document = (await request(world.app).get(OPENAPI_PATH).expect(200)).body as Document;
    checker = new ResponseChecker(document);
  });
  after(async () => world?.close());

  it('replaces the list, answers it, reads it back and audits the change', async () => {
    const token = await connectorToken(world, world.city, 'notices');
    const uris = ['http://localhost:8999/callback', 'https://app.city.example/consent/return'];
    const put = await request(world.app)
      .put(PATH)
      .set('authorization', `Bearer ${token}`)
      .send({ redirectUris: uris });
    checker.check('put', PATH, put);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body, { redirectUris: uris });
    const got = await request(world.app).get(PATH).set('authorization', `Bearer ${token}`);
    checker.check('get', PATH, got);
    assert.deepEqual(got.body, { redirectUris: uris });
    const audited = await world.service.dataSource
      .getRepository(AuditEntryEntity)
      .findBy({ kind: REDIRECT_URIS_SET, actor: world.city.did });
    assert.equal(audited.length, 1);
    // Replaced as a whole.
    const again = await request(world.app)
      .put(PATH)
      .set('authorization', `Bearer ${token}`)
      .send({ redirectUris: [uris[1]] });
    assert.deepEqual(again.body, { redirectUris: [uris[1]] });
  });

  it('refuses a bad URI with invalid_redirect_uri and changes nothing', async () => {
    const token = await connectorToken(world, world.utility, 'notices');
    const response = await request(world.app)
      .put(PATH)
      .set('authorization', `Bearer ${token}`)
      .send({ redirectUris: ['http://localhost:8999/ok', 'https://app.example/cb#fragment'] });
    checker.check('put', PATH, response);
    assert.equal(response.status, 400);
    assert.equal(response.body.code, 'invalid_redirect_uri');
    const got = await request(world.app).get(PATH).set('authorization', `Bearer ${token}`);
    assert.deepEqual(got.body, { redirectUris: [] });
  });

  it('needs the notices scope (insufficient_scope) and a token (invalid_token)', async () => {
    const token = await connectorToken(world, world.transit, 'consents:check');
    const scoped = await request(world.app)
      .put(PATH)
      .set('authorization', `Bearer ${token}`)
      .send({ redirectUris: [] });
    assert.equal(scoped.status, 403);
    assert.equal(scoped.body.code, 'insufficient_scope');
    const anonymous = await request(world.app).put(PATH).send({ redirectUris: [] });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.code, 'invalid_token');
  });
});
