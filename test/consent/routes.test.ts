/**
 * The consent register over HTTP, as the service serves it (src/consent/routes.ts): public
 * notice reads, publication by a signed statement or by a connector holding a real access token
 * of the service's provider (client credentials, private_key_jwt), the connector check; every
 * answer validated against the OpenAPI description the service serves.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import request from 'supertest';
import { OPENAPI_PATH } from '../../src/http/openapi/index.js';
import { type Document, ResponseChecker } from '../http/openapi-check.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  type ConsentWorld,
  connectorToken,
  consentWorld,
  give,
  newCitizen,
  noticeStatement,
  parkingNotice,
} from './support.js';

describeEachDatabase('consent routes', (fresh) => {
  let world: ConsentWorld;
  let app: ReturnType<Koa['callback']>;
  let checker: ResponseChecker;
  let cityToken: string;
  let transitToken: string;

  before(async function () {
    this.timeout(180_000);
    // A small per-address budget: signed publications are rate limited, a connector's are not.
    world = await consentWorld(await fresh(), { listen: true, env: { RATE_LIMIT_PER_ADDRESS: '16' } });
    app = world.app;
    const document = (await request(world.app).get(OPENAPI_PATH).expect(200)).body as Document;
    checker = new ResponseChecker(document);
    cityToken = await connectorToken(world, world.city, 'notices consents:check');
    transitToken = await connectorToken(world, world.transit, 'consents:check');
  });
  after(async () => world?.close());

  const call = async (
    method: 'get' | 'post',
    described: string,
    path: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<request.Response> => {
    let pending = method === 'get' ? request(app).get(path) : request(app).post(path);
    if (options.token) pending = pending.set('authorization', `Bearer ${options.token}`);
    for (const [name, value] of Object.entries(options.headers ?? {})) pending = pending.set(name, value);
    const response = method === 'post' ? await pending.send(options.body as object) : await pending;
    return checker.check(method, described, response);
  };

  describe('notices', () => {
    it('publishes from a signed statement without a token: 201 with a Location, 200 when replayed', async () => {
      const statement = await noticeStatement(
        world.city,
        world.service.identity.did,
        parkingNotice([world.transit.did]),
      );
      const created = await call('post', '/api/v1/notices', '/api/v1/notices', { body: { statement } });
      assert.equal(created.status, 201);
      assert.equal(created.headers.location, `/api/v1/notices/${created.body.id}/versions/1`);
      const again = await call('post', '/api/v1/notices', '/api/v1/notices', { body: { statement } });
      assert.equal(again.status, 200);
      assert.equal(again.body.id, created.body.id);
    });

    it('publishes through the connector with scope notices, idempotent under Idempotency-Key', async () => {
      const key = randomUUID();
      const created = await call('post', '/api/v1/notices', '/api/v1/notices', {
        token: cityToken,
        body: { notice: parkingNotice() },
        headers: { 'idempotency-key': key },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.controller, world.city.did);
      assert.equal(created.body.publishedVia, 'connector');
      const again = await call('post', '/api/v1/notices', '/api/v1/notices', {
        token: cityToken,
        body: { notice: parkingNotice() },
        headers: { 'idempotency-key': key },
      });
      assert.equal(again.status, 200);
      const version = await call(
        'post',
        '/api/v1/notices/{id}/versions',
        `/api/v1/notices/${created.body.id}/versions`,
        {
          token: cityToken,
          body: { notice: { ...parkingNotice(), text: 'Version two.' } },
        },
      );
      assert.equal(version.status, 201);
      assert.equal(version.body.version, 2);
    });

    it('refuses a connector token without the notices scope (403 insufficient_scope) and a bad token (401 invalid_token)', async () => {
      const noScope = await call('post', '/api/v1/notices', '/api/v1/notices', {
        token: transitToken,
        body: { notice: parkingNotice() },
      });
      assert.equal(noScope.status, 403);
      assert.equal(noScope.body.code, 'insufficient_scope');
      const bad = await call('post', '/api/v1/notices', '/api/v1/notices', {
        token: 'not-a-token',
        body: { notice: parkingNotice() },
      });
      assert.equal(bad.status, 401);
      assert.equal(bad.body.code, 'invalid_token');
    });

    it('answers refusals as problem+json with their code', async () => {
      const unknownTerm = await call('post', '/api/v1/notices', '/api/v1/notices', {
        token: cityToken,
        body: { notice: { ...parkingNotice(), purposes: ['dpv:Marketing'] } },
      });
      assert.equal(unknownTerm.status, 400);
      assert.equal(unknownTerm.body.code, 'unknown_purpose');
      assert.equal(unknownTerm.body.term, 'dpv:Marketing');
      const noStatement = await call('post', '/api/v1/notices', '/api/v1/notices', {
        body: { notice: parkingNotice() },
      });
      assert.equal(noStatement.body.code, 'invalid_statement');
      const decidesNothing = await call('post', '/api/v1/notices', '/api/v1/notices', {
        token: cityToken,
        body: { notice: parkingNotice(), controller: world.transit.did },
      });
      assert.equal(decidesNothing.status, 400);
      assert.equal(decidesNothing.body.code, 'invalid_request');
      assert.match(decidesNothing.body.detail, /unknown field "controller"/);
      const consumer = await noticeStatement(world.transit, world.service.identity.did, parkingNotice());
      const refused = await call('post', '/api/v1/notices', '/api/v1/notices', {
        body: { statement: consumer },
      });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'role_may_not_publish');
      const unknown = await call(
        'post',
        '/api/v1/notices/{id}/versions',
        '/api/v1/notices/notice-x/versions',
        {
          token: cityToken,
          body: { notice: parkingNotice() },
        },
      );
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 'notice_not_found');
    });

    it('serves notices publicly: a page by controller, a notice with its versions, one version (cacheable)', async () => {
      const page = await call(
        'get',
        '/api/v1/notices',
        `/api/v1/notices?controller=${encodeURIComponent(world.city.did)}&limit=1`,
      );
      assert.equal(page.status, 200);
      assert.equal(page.body.items.length, 1);
      assert.ok(page.body.next);
      const id = page.body.items[0].id as string;
      const notice = await call('get', '/api/v1/notices/{id}', `/api/v1/notices/${id}`);
      assert.equal(notice.status, 200);
      assert.ok(Array.isArray(notice.body.versions));
      const version = await call(
        'get',
        '/api/v1/notices/{id}/versions/{version}',
        `/api/v1/notices/${id}/versions/1`,
      );
      assert.equal(version.status, 200);
      assert.match(version.headers['cache-control'] ?? '', /immutable/);
      for (const [described, path, code] of [
        ['/api/v1/notices/{id}', '/api/v1/notices/notice-none', 'notice_not_found'],
        [
          '/api/v1/notices/{id}/versions/{version}',
          `/api/v1/notices/${id}/versions/99`,
          'notice_version_not_found',
        ],
        [
          '/api/v1/notices/{id}/versions/{version}',
          `/api/v1/notices/${id}/versions/one`,
          'notice_version_not_found',
        ],
      ] as const) {
        const missing = await call('get', described, path);
        assert.equal(missing.status, 404);
        assert.equal(missing.body.code, code);
      }
      const badLimit = await call('get', '/api/v1/notices', '/api/v1/notices?limit=1000');
      assert.equal(badLimit.body.code, 'invalid_page_size');
    });
  });

  describe('the check', () => {
    it('answers the controller and a recipient, never from a cache, and says withdrawn after a withdrawal', async () => {
      const statement = await noticeStatement(
        world.city,
        world.service.identity.did,
        parkingNotice([world.transit.did]),
      );
      const notice = (await call('post', '/api/v1/notices', '/api/v1/notices', { body: { statement } })).body;
      const citizen = await newCitizen();
      const { consent } = await give(world, notice, citizen, ['dpv:ServiceProvision']);
      const question = {
        subject: consent.subject,
        purpose: 'dpv:ServiceProvision',
        dataCategory: 'pd:Location',
      };
      const permitted = await call('post', '/api/v1/consents/check', '/api/v1/consents/check', {
        token: cityToken,
        body: question,
      });
      assert.equal(permitted.status, 200);
      assert.equal(permitted.headers['cache-control'], 'no-store');
      assert.deepEqual(
        [permitted.body.permitted, permitted.body.consentId, permitted.body.expiresAt],
        [true, consent.id, consent.expiresAt],
      );
      const other = await call('post', '/api/v1/consents/check', '/api/v1/consents/check', {
        token: cityToken,
        body: { ...question, purpose: 'dpv:ImproveTransportMobility' },
      });
      assert.deepEqual(other.body.reasons, [{ code: 'purpose_not_covered', consentId: consent.id }]);
      const recipient = await call('post', '/api/v1/consents/check', '/api/v1/consents/check', {
        token: transitToken,
        body: question,
      });
      assert.equal(recipient.body.permitted, true);
      await world.consent.withdraw({ consentId: consent.id, citizen });
      const withdrawn = await call('post', '/api/v1/consents/check', '/api/v1/consents/check', {
        token: cityToken,
        body: question,
      });
      assert.deepEqual(withdrawn.body.reasons, [{ code: 'withdrawn', consentId: consent.id }]);
    });

    it('refuses a member that is not a party (403 not_a_party), a malformed question (400) and no token (401)', async () => {
      const { notice } = await world.consent.notices.publishByConnector(world.city.did, parkingNotice([]));
      const { consent } = await give(world, notice, await newCitizen());
      const question = {
        subject: consent.subject,
        purpose: 'dpv:ServiceProvision',
        dataCategory: 'pd:Location',
      };
      const notParty = await call('post', '/api/v1/consents/check', '/api/v1/consents/check', {
        token: transitToken,
        body: question,
      });
      assert.equal(notParty.status, 403);
      assert.equal(notParty.body.code, 'not_a_party');
      const malformed = await call('post', '/api/v1/consents/check', '/api/v1/consents/check', {
        token: cityToken,
        body: { ...question, subject: 'someone' },
      });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.code, 'invalid_request');
      const anonymous = await call('post', '/api/v1/consents/check', '/api/v1/consents/check', {
        body: question,
      });
      assert.equal(anonymous.status, 401);
    });

    it('refuses a token without the consents:check scope (403 insufficient_scope)', async () => {
      const noticesOnly = await connectorToken(world, world.city, 'notices');
      const refused = await call('post', '/api/v1/consents/check', '/api/v1/consents/check', {
        token: noticesOnly,
        body: { subject: 'A'.repeat(43), purpose: 'dpv:ServiceProvision', dataCategory: 'pd:Location' },
      });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'insufficient_scope');
    });
  });
  describe('rate limits', () => {
    it('counts signed publications per address (429 rate_limited), not a connector’s with its token', async () => {
      let limited: request.Response | undefined;
      for (let i = 0; i < 20 && limited?.status !== 429; i++) {
        const statement = await noticeStatement(world.city, world.service.identity.did, parkingNotice());
        limited = await call('post', '/api/v1/notices', '/api/v1/notices', { body: { statement } });
      }
      assert.equal(limited?.status, 429);
      assert.equal(limited?.body.code, 'rate_limited');
      const connector = await call('post', '/api/v1/notices', '/api/v1/notices', {
        token: cityToken,
        body: { notice: parkingNotice() },
      });
      assert.equal(connector.status, 201);
    });
  });
});
