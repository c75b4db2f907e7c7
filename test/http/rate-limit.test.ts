/**
 * Issue 8 item 8: unauthenticated writes are rate limited per client address (and per DID),
 * with counters in the database shared by every service instance on it.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { addressKey, RateLimitedError } from '../../src/http/index.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

const LIMITS = { RATE_LIMIT_PER_ADDRESS: '3', RATE_LIMIT_PER_DID: '2' };

async function challenges(service: Service): Promise<number> {
  const [row] = await service.dataSource.query('SELECT COUNT(*) AS n FROM membership_challenge');
  return Number(row.n);
}

describeEachDatabase('rate limits on unauthenticated writes (issue 8 item 8)', (fresh) => {
  let database: TestDatabase;
  const open: Service[] = [];
  const service = async (env: Record<string, string> = {}) => {
    const opened = await openTestService(database, { ...LIMITS, ...env });
    open.push(opened);
    return opened;
  };

  beforeEach(async () => {
    database = await fresh();
  });
  afterEach(async () => {
    for (const opened of open.splice(0)) await opened.close();
  });

  it('the N+1st challenge gets 429, Retry-After and problem+json rate_limited, and stores nothing', async () => {
    const app = (await service()).app.callback();
    for (let i = 0; i < 3; i++) await request(app).get('/api/v1/membership/challenge').expect(200);
    const refused = await request(app).get('/api/v1/membership/challenge').expect(429);
    assert.match(refused.type, /problem\+json/);
    assert.equal(refused.body.code, 'rate_limited');
    assert.match(refused.headers['retry-after'] ?? '', /^[1-9][0-9]*$/);
    assert.ok(Number(refused.headers['retry-after']) <= 60);
    assert.equal(await challenges(open[0] as Service), 3);
  });

  it('counts each refusal in the metrics, per limiter', async () => {
    const opened = await service();
    const app = opened.app.callback();
    for (let i = 0; i < 5; i++) await request(app).get('/api/v1/membership/challenge');
    const exposition = await opened.metrics.registry.metrics();
    assert.match(exposition, /rate_limit_refusals_total\{limiter="challenge:address"\} 2\b/);
  });

  it('OpenID4VP endpoints answer the OAuth shape { error: rate_limited } with Retry-After', async () => {
    const app = (await service()).app.callback();
    for (let i = 0; i < 3; i++) await request(app).post('/oid4vp/response').type('form').send({ state: 'x' });
    const refused = await request(app).post('/oid4vp/response').type('form').send({ state: 'x' }).expect(429);
    assert.equal(refused.body.error, 'rate_limited');
    assert.ok(Number(refused.headers['retry-after']) >= 1);
  });

  it('counts every path variant the router serves: trailing slash, letter case, HEAD (429 rate_limited)', async () => {
    const app = (await service()).app.callback();
    for (let i = 0; i < 3; i++) await request(app).get('/api/v1/membership/challenge').expect(200);
    for (const path of [
      '/api/v1/membership/challenge/',
      '/api/v1/membership/challengE',
      '/API/V1/Membership/Challenge//',
    ]) {
      const refused = await request(app).get(path).expect(429);
      assert.equal(refused.body.code, 'rate_limited', path);
    }
    await request(app).head('/api/v1/membership/challenge').expect(429);
    await request(app).head('/api/v1/membership/challenge/').expect(429);
    assert.equal(await challenges(open[0] as Service), 3);
  });

  it('counts the variants towards the limit: after three variant requests the plain path gets 429', async () => {
    const app = (await service()).app.callback();
    await request(app).get('/api/v1/membership/challenge/').expect(200);
    await request(app).get('/api/v1/membership/Challenge').expect(200);
    await request(app).head('/api/v1/membership/challenge');
    const refused = await request(app).get('/api/v1/membership/challenge').expect(429);
    assert.equal(refused.body.code, 'rate_limited');
  });

  it('counts the wallet login variants of /oidc/auth: trailing slash, letter case, HEAD (429 rate_limited)', async () => {
    const app = (await service()).app.callback();
    for (let i = 0; i < 3; i++) await request(app).get('/oidc/auth');
    for (const path of ['/oidc/auth/', '/oidc/Auth', '/OIDC/AUTH']) {
      const refused = await request(app).get(path).expect(429);
      assert.equal(refused.body.error, 'rate_limited', path);
    }
    await request(app).head('/oidc/auth').expect(429);
  });

  it('two service instances on one database share the counter', async () => {
    const a = (await service()).app.callback();
    const b = (await service()).app.callback();
    await request(a).get('/api/v1/membership/challenge').expect(200);
    await request(b).get('/api/v1/membership/challenge').expect(200);
    await request(a).get('/api/v1/membership/challenge').expect(200);
    const refused = await request(b).get('/api/v1/membership/challenge').expect(429);
    assert.equal(refused.body.code, 'rate_limited');
  });

  it('counts kinds apart: challenges used up leave checkpoints and applications open', async () => {
    const app = (await service()).app.callback();
    for (let i = 0; i < 3; i++) await request(app).get('/api/v1/membership/challenge').expect(200);
    await request(app).get('/api/v1/membership/challenge').expect(429);
    await request(app).get('/api/v1/audit/checkpoint').expect(200);
    const application = await request(app)
      .post('/api/v1/membership/applications')
      .send({ presentation: 'x' });
    assert.equal(application.body.code, 'invalid_presentation');
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: the socket address is counted', async () => {
    const app = (await service()).app.callback();
    for (let i = 0; i < 3; i++) {
      await request(app)
        .get('/api/v1/membership/challenge')
        .set('X-Forwarded-For', `203.0.113.${i}`)
        .expect(200);
    }
    await request(app).get('/api/v1/membership/challenge').set('X-Forwarded-For', '203.0.113.9').expect(429);
  });

  it('with TRUST_PROXY counts the address the proxy appended, not one the client wrote before it', async () => {
    const app = (await service({ TRUST_PROXY: 'true' })).app.callback();
    for (let i = 0; i < 3; i++) {
      await request(app)
        .get('/api/v1/membership/challenge')
        .set('X-Forwarded-For', `198.51.100.${i}, 203.0.113.7`)
        .expect(200);
    }
    await request(app)
      .get('/api/v1/membership/challenge')
      .set('X-Forwarded-For', '198.51.100.99, 203.0.113.7')
      .expect(429);
    await request(app).get('/api/v1/membership/challenge').set('X-Forwarded-For', '203.0.113.8').expect(200);
  });

  it('limits applications per DID across instances: the N+1st is rate_limited', async () => {
    const a = await service();
    const b = await service();
    await a.rateLimits.did('did:key:z6MkApplicant');
    await b.rateLimits.did('did:key:z6MkApplicant');
    await assert.rejects(b.rateLimits.did('did:key:z6MkApplicant'), (error: unknown) => {
      assert.ok(error instanceof RateLimitedError);
      assert.equal(error.code, 'rate_limited');
      assert.ok(error.retryAfterSeconds >= 1);
      return true;
    });
    await a.rateLimits.did('did:key:z6MkOther');
  });
});

describe('client address keys', () => {
  it('keeps IPv4 (also IPv4-mapped) and reduces IPv6 to its /64', () => {
    assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2::9'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  });
});
