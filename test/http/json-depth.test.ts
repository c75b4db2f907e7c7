import { strict as assert } from 'node:assert';
import Router from '@koa/router';
import request from 'supertest';
import { createApp, requestBody } from '../../src/http/index.js';
import { jsonDeeperThan, MAX_JSON_DEPTH } from '../../src/http/json-depth.js';
import type { Service } from '../../src/service.js';
import { newActor, presentation as presentationOf } from '../governance/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService, silentLogger } from '../support/service.js';

const nested = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

describe('JSON nesting depth is bounded without recursion', () => {
  const router = new Router();
  router.post('/echo', (ctx) => {
    // What a route might do with what it got: a recursive step that a deep value overflows.
    ctx.body = { size: JSON.stringify(requestBody(ctx)).length };
  });
  const app = createApp({
    logger: silentLogger,
    bodyLimitBytes: 262_144,
    trustProxy: false,
    readiness: { accepting: () => true, database: async () => true },
    routers: [router],
  }).callback();

  it('refuses a 20,000-deep array in a body with 400 json_too_deep (problem+json), not 500', async () => {
    const response = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send(`{"contact":${nested(20_000)}}`)
      .expect(400);
    assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(response.body.code, 'json_too_deep');
  });

  it(`accepts ${MAX_JSON_DEPTH} levels, refuses one more`, async () => {
    await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send(`{"a":${nested(MAX_JSON_DEPTH - 1)}}`)
      .expect(200);
    const response = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send(`{"a":${nested(MAX_JSON_DEPTH)}}`)
      .expect(400);
    assert.equal(response.body.code, 'json_too_deep');
  });

  it('counts brackets inside strings (escaped quotes included) as text, not nesting', () => {
    assert.equal(jsonDeeperThan(JSON.stringify({ a: `"${'['.repeat(100)}\\"{{{` }), 2), false);
    assert.equal(jsonDeeperThan(nested(3), 2), true);
  });
});

describeEachDatabase('a deep value inside a signed token is refused, not a 500', (fresh) => {
  let service: Service;
  before(async () => {
    service = await openTestService(await fresh());
  });
  after(async () => {
    await service?.close();
  });

  it('an application credential with a 20,000-deep contact is refused with a code (format: malformed)', async () => {
    const applicant = await newActor();
    const iat = Math.floor(Date.now() / 1000);
    // jose itself cannot serialise the deep value (JSON.stringify recurses), so the token is made by hand.
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      `{"iss":"${applicant.did}","sub":"${applicant.did}","iat":${iat},"vc":{"type":["VerifiableCredential","MembershipApplicationCredential"],"credentialSubject":{"id":"${applicant.did}","contact":${nested(20_000, '"x"')}}}}`,
    ).toString('base64url');
    const deep = `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
    const verified = await request(service.app.callback())
      .post('/api/v1/credentials/verify')
      .send({ credential: deep })
      .expect(200);
    const format = verified.body.checks.find((check: { check: string }) => check.check === 'format');
    assert.deepEqual([format.result, format.code], ['failed', 'malformed']);

    const challenge = (await request(service.app.callback()).get('/api/v1/membership/challenge').expect(200))
      .body.challenge as string;
    const vp = await presentationOf(applicant, service.identity.did, challenge, [deep]);
    const response = await request(service.app.callback())
      .post('/api/v1/membership/applications')
      .send({ presentation: vp });
    assert.ok(
      response.status >= 400 && response.status < 500,
      `${response.status} ${response.text.slice(0, 300)}`,
    );
    assert.equal(typeof response.body.code, 'string');
  });
});
