/**
 * The connector lane (src/http/lane): `POST` to the exact paths of credential verification, the
 * consent check and the agreement check is answered without koa, and must answer exactly as
 * koa's stack answers the same request. Each request below is sent both ways, to the service's
 * handler (lane in front) and to koa's own handler of the same app, and the two answers are
 * compared whole: status, body and every header but the per-request ones (date, request id,
 * the CSP nonce). A spy at the head of koa's middleware shows which way each request went.
 * The lane's answers during a database outage (503 `database_unavailable` at once, with
 * Retry-After) are tested with a real stalled PostgreSQL in test/db/outage.test.ts.
 */
import { strict as assert } from 'node:assert';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa from 'koa';
import request, { type Response, type Test } from 'supertest';
import { createLogger } from '../../src/log/logger.js';
import { openService, rateLimitRules, type Service } from '../../src/service.js';
import {
  type ConsentWorld,
  connectorToken,
  consentWorld,
  give,
  newCitizen,
  publishParking,
} from '../consent/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { testConfig } from '../support/service.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const VERIFY = '/api/v1/credentials/verify';
const CONSENT_CHECK = '/api/v1/consents/check';
const AGREEMENT_CHECK = '/api/v1/agreements/check';
/** The default BODY_LIMIT_BYTES (256 KiB). */
const BODY_LIMIT = 262_144;
/** Headers that differ between any two requests, whichever way they go. */
const PER_REQUEST = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);

/** An answer with what differs per request taken out. */
function comparable(response: Response) {
  const headers = Object.fromEntries(
    Object.entries(response.headers)
      .filter(([name]) => !PER_REQUEST.has(name))
      .map(([name, value]) => [
        name,
        name === 'content-security-policy' ? String(value).replace(/'nonce-[^']+'/g, "'nonce-N'") : value,
      ]),
  );
  const body = structuredClone(response.body as Record<string, unknown>);
  if (typeof body?.instance === 'string') body.instance = 'urn:request:ID';
  // The instant each check ran.
  if (typeof body?.checkedAt === 'string') body.checkedAt = 'T';
  return { status: response.status, headers, body };
}

describeEachDatabase('the connector lane answers as koa does, without koa', (fresh) => {
  let world: ConsentWorld;
  let laned: Handler;
  let koaOnly: Handler;
  /** Paths koa's middleware saw since the last reset. */
  const seenByKoa: string[] = [];
  let checkToken: string;
  let agreementsToken: string;
  let noticesToken: string;
  let credential: string;
  let subject: string;

  before(async function () {
    this.timeout(180_000);
    world = await consentWorld(await fresh(), { listen: true });
    world.service.app.middleware.unshift(async (ctx, next) => {
      seenByKoa.push(ctx.path);
      await next();
    });
    laned = world.service.app.callback();
    // koa's own handler of the same app: the base class's callback, without the lane in front.
    koaOnly = Koa.prototype.callback.call(world.service.app) as Handler;
    checkToken = await connectorToken(world, world.city, 'consents:check');
    agreementsToken = await connectorToken(world, world.city, 'agreements');
    noticesToken = await connectorToken(world, world.city, 'notices');
    credential = (
      await world.service.credentials.issuer.issue({
        type: 'MembershipCredential',
        subject: {
          id: world.city.did,
          legalName: 'City of Example',
          roles: ['public-authority'],
          sides: ['supply'],
          memberSince: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          rulebookVersion: '1.0',
        },
      })
    ).jwt;
    const notice = await publishParking(world);
    subject = (await give(world, notice, await newCitizen(), ['dpv:ServiceProvision'])).consent.subject;
  });
  after(async () => world?.close());
  beforeEach(() => {
    seenByKoa.length = 0;
  });

  /** Sends the request both ways; asserts that the lane answered the first and koa the second. */
  async function bothWays(
    path: string,
    build: (test: Test) => Test,
    expected: { lane: boolean } = { lane: true },
  ): Promise<ReturnType<typeof comparable>> {
    seenByKoa.length = 0;
    const viaLane = await build(request(laned).post(path));
    assert.deepEqual(seenByKoa, expected.lane ? [] : [path.split('?')[0]], 'the way the first request went');
    seenByKoa.length = 0;
    const viaKoa = await build(request(koaOnly).post(path));
    assert.equal(seenByKoa.length, 1, 'koa answered the second');
    const lane = comparable(viaLane);
    assert.deepEqual(lane, comparable(viaKoa));
    return lane;
  }

  const json = (body: unknown, token?: string) => (test: Test) =>
    (token ? test.set('Authorization', `Bearer ${token}`) : test)
      .set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));

  describe(`POST ${VERIFY}`, () => {
    it('a credential: 200 with the whole typed result, no-store', async () => {
      const answer = await bothWays(VERIFY, json({ credential }));
      assert.equal(answer.status, 200);
      assert.equal((answer.body as { verified?: unknown }).verified, true);
      assert.equal(answer.headers['cache-control'], 'no-store');
      assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers['x-frame-options'], 'DENY');
      assert.equal(answer.headers['referrer-policy'], 'no-referrer');
      assert.match(String(answer.headers['content-security-policy']), /frame-ancestors 'none'/);
    });
    it('a credential that fails a check: 200, verified false, the same checks both ways', async () => {
      const [header, payload] = credential.split('.');
      const answer = await bothWays(VERIFY, json({ credential: `${header}.${payload}.${'A'.repeat(86)}` }));
      assert.equal(answer.status, 200);
      assert.equal((answer.body as { verified?: unknown }).verified, false);
    });
    const refusals: [string, (test: Test) => Test, number, string][] = [
      ['no credential', json({}), 400, 'invalid_request'],
      ['a JSON array', json([credential]), 400, 'invalid_request'],
      ['not JSON', json('{"credential": '), 400, 'invalid_json'],
      ['nested too deep', json(`${'['.repeat(40)}${']'.repeat(40)}`), 400, 'json_too_deep'],
      [
        'text/plain',
        (test) => test.set('Content-Type', 'text/plain').send('hello'),
        415,
        'unsupported_media_type',
      ],
      ['no body', (test) => test, 400, 'invalid_request'],
      ['a body over the limit', json({ credential: 'x'.repeat(BODY_LIMIT) }), 413, 'payload_too_large'],
    ];
    for (const [what, build, status, code] of refusals) {
      it(`${what}: ${status} ${code}`, async () => {
        const answer = await bothWays(VERIFY, build);
        assert.equal(answer.status, status);
        assert.equal((answer.body as { code?: unknown }).code, code);
        assert.equal(answer.headers['content-type'], 'application/problem+json');
      });
    }
    it('a form body is read as koa reads it', async () => {
      const answer = await bothWays(VERIFY, (test) => test.type('form').send({ credential }));
      assert.equal(answer.status, 200);
      assert.equal((answer.body as { verified?: unknown }).verified, true);
    });
    it('the caller’s X-Request-Id is echoed and named in the problem', async () => {
      const response = await request(laned)
        .post(VERIFY)
        .set('X-Request-Id', 'lane-test-0001')
        .set('Content-Type', 'application/json')
        .send('{}');
      assert.equal(response.headers['x-request-id'], 'lane-test-0001');
      assert.equal(response.body.instance, 'urn:request:lane-test-0001');
    });
    it('other forms of the path, and other methods, are koa’s', async () => {
      await bothWays(`${VERIFY}?via=query`, json({ credential }), { lane: false });
      await bothWays(`${VERIFY}/`, json({ credential }), { lane: false });
      seenByKoa.length = 0;
      const get = await request(laned).get(VERIFY);
      assert.equal(get.status, 405);
      assert.equal(get.body.code, 'method_not_allowed');
      assert.deepEqual(seenByKoa, [VERIFY]);
    });
  });

  describe(`POST ${CONSENT_CHECK}`, () => {
    it('permitted: the consent the citizen gave', async () => {
      const answer = await bothWays(
        CONSENT_CHECK,
        json({ subject, purpose: 'dpv:ServiceProvision', dataCategory: 'pd:Location' }, checkToken),
      );
      assert.equal(answer.status, 200);
      assert.equal((answer.body as { permitted?: unknown }).permitted, true);
      assert.equal(answer.headers['cache-control'], 'no-store');
    });
    it('refused: a purpose the citizen did not tick', async () => {
      const answer = await bothWays(
        CONSENT_CHECK,
        json({ subject, purpose: 'dpv:ImproveTransportMobility', dataCategory: 'pd:Location' }, checkToken),
      );
      assert.equal(answer.status, 200);
      assert.equal((answer.body as { permitted?: unknown }).permitted, false);
    });
    const question = {
      subject: 'A'.repeat(43),
      purpose: 'dpv:ServiceProvision',
      dataCategory: 'pd:Location',
    };
    const refusals: [string, () => (test: Test) => Test, number, string][] = [
      ['no token', () => json(question), 401, 'invalid_token'],
      [
        'not a bearer header',
        () => (test) => json(question)(test).set('Authorization', `Basic ${checkToken}`),
        401,
        'invalid_token',
      ],
      [
        'a token that is not ours',
        () => json(question, `${checkToken.slice(0, -4)}AAAA`),
        401,
        'invalid_token',
      ],
      ['a token of another scope', () => json(question, noticesToken), 403, 'insufficient_scope'],
      [
        'a question with an unknown field',
        () => json({ ...question, extra: 1 }, checkToken),
        400,
        'invalid_request',
      ],
      ['not JSON, before the token is read', () => json('{', checkToken), 400, 'invalid_json'],
    ];
    for (const [what, build, status, code] of refusals) {
      it(`${what}: ${status} ${code}`, async () => {
        const answer = await bothWays(CONSENT_CHECK, build());
        assert.equal(answer.status, status);
        assert.equal((answer.body as { code?: unknown }).code, code);
        if (status === 401 || status === 403)
          assert.match(String(answer.headers['www-authenticate']), /^Bearer realm="dataspace-trust"/);
      });
    }
  });

  describe(`POST ${AGREEMENT_CHECK}`, () => {
    const question = () => ({
      provider: world.utility.did,
      consumer: world.city.did,
      target: 'urn:dataset:lane-test',
      action: 'use',
      purpose: 'dpv:ServiceProvision',
    });
    it('no agreement between the parties: 200, not permitted, with its reason', async () => {
      const answer = await bothWays(AGREEMENT_CHECK, json(question(), agreementsToken));
      assert.equal(answer.status, 200);
      assert.equal((answer.body as { permitted?: unknown }).permitted, false);
      assert.deepEqual((answer.body as { reasons?: unknown }).reasons, ['no_agreement']);
    });
    it('a token of another scope: 403 insufficient_scope', async () => {
      const answer = await bothWays(AGREEMENT_CHECK, json(question(), checkToken));
      assert.equal(answer.status, 403);
      assert.equal((answer.body as { code?: unknown }).code, 'insufficient_scope');
    });
    it('a malformed Idempotency-Key: the same 400 both ways', async () => {
      const answer = await bothWays(AGREEMENT_CHECK, (test) =>
        json(question(), agreementsToken)(test).set('Idempotency-Key', 'x'.repeat(201)),
      );
      assert.equal(answer.status, 400);
      assert.equal((answer.body as { code?: unknown }).code, 'invalid_request');
    });
  });

  it('no rate-limit rule applies to a lane route (the lane has no rate limit)', () => {
    for (const rule of rateLimitRules('/oidc')) {
      for (const path of [VERIFY, CONSENT_CHECK, AGREEMENT_CHECK]) {
        assert.equal(rule.method === 'POST' && rule.path.test(path), false, `${rule.path} matches ${path}`);
      }
    }
  });
});

describeEachDatabase(
  'the connector lane under a PUBLIC_URL with a path, in the metrics and the log',
  (fresh) => {
    let service: Service;
    let handler: Handler;
    const seenByKoa: string[] = [];
    const lines: Record<string, unknown>[] = [];

    before(async function () {
      this.timeout(60_000);
      // The service's log, at info as in production: each line it writes is kept here.
      const logger = createLogger('info', {
        write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
      });
      service = await openService(
        testConfig(await fresh(), { PUBLIC_URL: 'https://trust.example.org/trust' }),
        logger,
        { quiet: true },
      );
      service.app.middleware.unshift(async (ctx, next) => {
        seenByKoa.push(ctx.path);
        await next();
      });
      handler = service.app.callback();
    });
    after(async () => service?.close());

    it('answers below the base path only; the bare path is koa’s 404', async () => {
      const below = await request(handler).post(`/trust${VERIFY}`).send({ credential: 'x.y.z' });
      assert.equal(below.status, 200);
      assert.equal(below.body.verified, false);
      assert.deepEqual(seenByKoa, []);
      const bare = await request(handler).post(VERIFY).send({ credential: 'x.y.z' });
      assert.equal(bare.status, 404);
      assert.equal(bare.body.code, 'not_found');
      assert.deepEqual(seenByKoa, [VERIFY]);
    });

    it('counts and logs a lane request by its route, without the base path', async () => {
      lines.length = 0;
      const count = async () =>
        (await service.metrics.httpRequests.get()).values.find(
          (value) =>
            value.labels.route === VERIFY && value.labels.method === 'POST' && value.labels.status === '415',
        )?.value ?? 0;
      const before = await count();
      const refused = await request(handler)
        .post(`/trust${VERIFY}`)
        .set('Content-Type', 'text/plain')
        .set('X-Request-Id', 'lane-metrics-0001')
        .send('hello');
      assert.equal(refused.status, 415);
      assert.equal(await count(), before + 1);
      const line = lines.find((entry) => entry.msg === 'request' && entry.requestId === 'lane-metrics-0001');
      assert.ok(line, 'one request line');
      assert.equal(line.method, 'POST');
      assert.equal(line.path, VERIFY);
      assert.equal(line.status, 415);
      assert.equal(typeof line.ms, 'number');
    });
  },
);
