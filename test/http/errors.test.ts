import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import request from 'supertest';
import { CommitOutcomeUnknownError } from '../../src/db/index.js';
import { createApp, ProblemError, requestBody } from '../../src/http/index.js';
import { createLogger } from '../../src/log/logger.js';
import { silentLogger } from '../support/service.js';

function appWith(router: Router) {
  return createApp({
    logger: silentLogger,
    bodyLimitBytes: 1024,
    trustProxy: false,
    readiness: { accepting: () => true, database: async () => true },
    routers: [router],
  }).callback();
}

const router = new Router();
router.post('/echo', (ctx) => {
  ctx.body = { received: requestBody(ctx) };
});
router.get('/conflict', () => {
  throw new ProblemError(409, 'already_member', 'Conflict', 'This DID is already a member.');
});
router.get('/commit-unknown', () => {
  throw new CommitOutcomeUnknownError(Object.assign(new Error('Query read timeout'), {}));
});
router.get('/outage', () => {
  throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
});
router.get('/unstorable/:sqlstate', (ctx) => {
  // As TypeORM's QueryFailedError wraps node-postgres's error: the SQLSTATE on the driver error.
  const driverError = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
    code: ctx.params.sqlstate,
  });
  throw Object.assign(new Error(driverError.message), { name: 'QueryFailedError', driverError });
});
router.get('/crash', () => {
  throw new Error('secret internal detail: password=hunter2');
});
const app = appWith(router);

describe('errors are RFC 9457 problem details with a stable code', () => {
  it('an unknown path is a 404 problem', async () => {
    const response = await request(app).get('/nowhere').expect(404);
    assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(response.body.code, 'not_found');
    assert.equal(response.body.status, 404);
    assert.equal(response.body.type, 'urn:dataspace-trust:problem:not_found');
  });

  it('a typed error keeps its status and code', async () => {
    const response = await request(app).get('/conflict').expect(409);
    assert.equal(response.body.code, 'already_member');
    assert.equal(response.body.detail, 'This DID is already a member.');
  });

  it('a COMMIT the database did not confirm is a 503 commit_outcome_unknown with Retry-After, not a plain outage', async () => {
    const unknown = await request(app).get('/commit-unknown').expect(503);
    assert.equal(unknown.body.code, 'commit_outcome_unknown');
    assert.equal(unknown.headers['retry-after'], '5');
    assert.match(unknown.body.detail, /may or may not have been applied/);
    const outage = await request(app).get('/outage').expect(503);
    assert.equal(outage.body.code, 'database_unavailable');
  });

  it('a character PostgreSQL cannot store (22021, 22P05) is a 400 invalid_request, not a 500', async () => {
    for (const sqlstate of ['22021', '22P05']) {
      const response = await request(app).get(`/unstorable/${sqlstate}`).expect(400);
      assert.equal(response.body.code, 'invalid_request');
      assert.match(response.body.detail, /NUL characters, U\+0000, are not accepted/);
      assert.ok(!response.text.includes('0x00'));
    }
    assert.equal((await request(app).get('/unstorable/22P02').expect(500)).body.code, 'internal_error');
  });

  it('an unexpected error is a 500 that shows no internals', async () => {
    const response = await request(app).get('/crash').expect(500);
    assert.equal(response.body.code, 'internal_error');
    assert.ok(!response.text.includes('hunter2'));
    assert.ok(!response.text.includes('secret internal detail'));
  });

  it('carries the request id, and echoes a sane X-Request-Id', async () => {
    const response = await request(app).get('/nowhere').set('X-Request-Id', 'abc-123-def-456');
    assert.equal(response.headers['x-request-id'], 'abc-123-def-456');
    assert.equal(response.body.instance, 'urn:request:abc-123-def-456');
    const hostile = await request(app).get('/nowhere').set('X-Request-Id', 'x y <script>alert(1)</script>');
    assert.match(hostile.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  });
});

describe('request bodies', () => {
  it('parses a JSON object', async () => {
    const response = await request(app).post('/echo').send({ a: 1 }).expect(200);
    assert.deepEqual(response.body, { received: { a: 1 } });
  });

  it('refuses invalid JSON with 400 invalid_json', async () => {
    const response = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send('{nope')
      .expect(400);
    assert.equal(response.body.code, 'invalid_json');
  });

  it('refuses a JSON array where an object is expected with 400 invalid_request', async () => {
    const response = await request(app).post('/echo').send([1, 2]).expect(400);
    assert.equal(response.body.code, 'invalid_request');
  });

  it('refuses a body over the limit with 413 payload_too_large', async () => {
    const response = await request(app)
      .post('/echo')
      .send({ big: 'x'.repeat(2000) })
      .expect(413);
    assert.equal(response.body.code, 'payload_too_large');
  });

  it('refuses an oversized chunked body (no Content-Length) with 413', async () => {
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            port,
            host: '127.0.0.1',
            method: 'POST',
            path: '/echo',
            headers: { 'Content-Type': 'application/json' },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk) => {
              body += chunk;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        for (let i = 0; i < 8; i++) req.write('x'.repeat(500)); // no Content-Length: chunked
        req.end();
      });
      assert.equal(response.status, 413);
      assert.equal(JSON.parse(response.body).code, 'payload_too_large');
    } finally {
      server.close();
    }
  });

  it('refuses U+0000 in a JSON body, in a string or a key at any depth, with 400 invalid_request', async () => {
    for (const body of ['{"a":"x\\u0000"}', '{"a":[{"b":["\\u0000"]}]}', '{"a\\u0000b":1}', '["\\u0000"]']) {
      const response = await request(app).post('/echo').type('json').send(body).expect(400);
      assert.equal(response.body.code, 'invalid_request', body);
      assert.match(response.body.detail, /NUL characters \(U\+0000\) are not accepted in the request body/);
    }
    // An escaped backslash followed by `u0000` is six characters, no NUL.
    const escaped = await request(app).post('/echo').type('json').send('{"a":"\\\\u0000"}').expect(200);
    assert.equal(escaped.body.received.a, '\\u0000');
  });

  it('refuses U+0000 in a form body (%00 or the raw character, in a name or a value) with 400 invalid_request', async () => {
    for (const body of ['a=x%00', 'a%00=1', 'a=1&b=\u0000']) {
      const response = await request(app).post('/echo').type('form').send(body).expect(400);
      assert.equal(response.body.code, 'invalid_request', body);
    }
    assert.deepEqual((await request(app).post('/echo').type('form').send('a=%2500').expect(200)).body, {
      received: { a: '%00' },
    });
  });

  it('refuses %00 in the path or the query with 400 invalid_request, before any route', async () => {
    for (const path of ['/echo%00', '/nowhere/%00', '/echo?a=%00']) {
      const response = await request(app).post(path).send({ a: 1 }).expect(400);
      assert.equal(response.body.code, 'invalid_request', path);
      assert.match(response.body.detail, /are not accepted in the request URL/);
    }
    assert.equal((await request(app).get('/nowhere?a=%2500').expect(404)).body.code, 'not_found');
  });

  it('refuses other media types with 415 unsupported_media_type', async () => {
    const response = await request(app)
      .post('/echo')
      .set('Content-Type', 'text/plain')
      .send('hi')
      .expect(415);
    assert.equal(response.body.code, 'unsupported_media_type');
  });
});

describe('405 and the request log', () => {
  it('answers a method a route does not allow with 405 problem+json method_not_allowed and an Allow header', async () => {
    const response = await request(app).delete('/health/live').expect(405);
    assert.equal(response.type, 'application/problem+json');
    assert.equal(JSON.parse(response.text).code, 'method_not_allowed');
    assert.match(response.headers.allow ?? '', /\bGET\b/);
  });

  it('logs the client address on request lines, and health probes at debug, not info', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logged = createApp({
      logger: createLogger('debug', {
        write: (line: string) => {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        },
      }),
      bodyLimitBytes: 1024,
      trustProxy: false,
      readiness: { accepting: () => true, database: async () => true },
      routers: [router],
    }).callback();
    await request(logged).get('/health/ready').expect(200);
    await request(logged).get('/conflict').expect(409);
    const [probe, conflict] = lines.filter((line) => line.msg === 'request');
    assert.equal(probe?.path, '/health/ready');
    assert.equal(probe?.level, 20, 'debug');
    assert.equal(conflict?.level, 30, 'info');
    assert.match(String(conflict?.client), /^(::ffff:)?127\.0\.0\.1$|^::1$/);
  });
});
