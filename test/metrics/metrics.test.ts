import { strict as assert } from 'node:assert';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { metricsHandler } from '../../src/metrics/index.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

const TOKEN = 'scrape-token-0123456789';

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    const parts = inner.split(',');
    if (wanted.every((pair) => parts.includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describeEachDatabase('Metrics: Prometheus instruments of one process', (fresh, kind) => {
  let service: Service;
  let scrape: () => Promise<string>;

  before(async () => {
    service = await openTestService(await fresh());
    const handler = metricsHandler({
      token: TOKEN,
      render: async () => ({
        contentType: service.metrics.registry.contentType,
        body: await service.metrics.registry.metrics(),
      }),
    });
    scrape = async () =>
      (await request(handler).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;
  });
  after(async () => {
    await service?.close();
  });

  it('counts a verification by result, by check and code, per route template, with its status-list fetch', async () => {
    const { jwt } = await service.credentials.issuer.issue({
      type: 'MembershipCredential',
      subject: {
        id: 'did:web:metrics.example',
        legalName: 'Metrics',
        roles: ['data-provider'],
        sides: ['supply'],
        memberSince: '2026-01-01T00:00:00Z',
        rulebookVersion: '1.0',
      },
    });
    const app = service.app.callback();
    await request(app).post('/api/v1/credentials/verify').send({ credential: jwt }).expect(200);
    await request(app).post('/api/v1/credentials/verify').send({ credential: 'not-a-jwt' }).expect(200);
    await request(app).post('/api/v1/credentials/verify').send({}).expect(400);
    await request(app).get('/api/v1/members/did:web:nobody.example').expect(404);

    const text = await scrape();
    assert.equal(
      sample(text, 'dataspace_trust_verifications_total', { kind: 'credential', verified: 'true' }),
      1,
    );
    assert.equal(
      sample(text, 'dataspace_trust_verifications_total', { kind: 'credential', verified: 'false' }),
      1,
    );
    assert.equal(
      sample(text, 'dataspace_trust_verification_checks_total', {
        check: 'status',
        result: 'passed',
        code: 'none',
      }),
      1,
    );
    assert.ok(
      (sample(text, 'dataspace_trust_verification_checks_total', { check: 'format', result: 'failed' }) ??
        0) >= 1,
    );
    const route = { method: 'POST', route: '/api/v1/credentials/verify' };
    assert.equal(sample(text, 'dataspace_trust_http_requests_total', { ...route, status: '200' }), 2);
    assert.equal(
      sample(text, 'dataspace_trust_http_request_errors_total', {
        ...route,
        status: '400',
        code: 'invalid_request',
      }),
      1,
    );
    assert.equal(sample(text, 'dataspace_trust_http_request_duration_seconds_count', route), 3);
    // The route template, never the raw path: label values stay few whatever clients send.
    assert.equal(
      sample(text, 'dataspace_trust_http_requests_total', { route: '/api/v1/members/:did', status: '404' }),
      1,
    );
    assert.ok(!text.includes('nobody.example'));
    // One per status entry: the credential has a revocation and a suspension entry.
    assert.equal(
      sample(text, 'dataspace_trust_status_list_fetches_total', { source: 'own', outcome: 'ok' }),
      2,
    );
    assert.ok(
      (sample(text, 'dataspace_trust_db_query_duration_seconds_count', { database: kind, outcome: 'ok' }) ??
        0) > 0,
    );
    if (kind === 'postgres')
      assert.ok((sample(text, 'dataspace_trust_db_pool_connections', { state: 'total' }) ?? 0) >= 1);
  });

  it('is not served on the public port', async () => {
    const response = await request(service.app.callback()).get('/metrics').expect(404);
    assert.equal(response.body.code, 'not_found');
  });

  it('refuses a scrape without the configured bearer token, or with another one (401)', async () => {
    const handler = metricsHandler({
      token: TOKEN,
      render: async () => ({ contentType: 'text/plain', body: 'x' }),
    });
    const missing = await request(handler).get('/metrics').expect(401);
    assert.equal(missing.headers['www-authenticate'], 'Bearer realm="metrics"');
    await request(handler).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
    await request(handler).get('/metrics').set('Authorization', TOKEN).expect(401);
    await request(handler).get('/other').set('Authorization', `Bearer ${TOKEN}`).expect(404);
  });
});

describe('Metrics configuration', () => {
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.variable;
    }
    assert.fail('expected a ConfigError');
  };

  it('has no metrics endpoint unless METRICS_PORT is set; binds loopback by default', () => {
    const config = loadConfig({});
    assert.equal(config.metricsPort, undefined);
    assert.equal(loadConfig({ METRICS_PORT: '9464' }).metricsHost, '127.0.0.1');
  });

  it('refuses METRICS_PORT equal to PORT, a non-loopback METRICS_HOST without a token, and a short token', () => {
    assert.equal(refusal({ PORT: '9464', METRICS_PORT: '9464' }), 'METRICS_PORT');
    assert.equal(refusal({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }), 'METRICS_TOKEN');
    assert.equal(refusal({ METRICS_PORT: '9464', METRICS_TOKEN: 'short' }), 'METRICS_TOKEN');
    assert.equal(
      loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_TOKEN: TOKEN }).metricsToken,
      TOKEN,
    );
  });

  it('reads WORKERS as a number or auto (default 1)', () => {
    assert.equal(loadConfig({}).workers, 1);
    assert.equal(loadConfig({ WORKERS: 'auto' }).workers, 'auto');
    assert.equal(loadConfig({ WORKERS: '4' }).workers, 4);
    assert.equal(refusal({ WORKERS: '0' }), 'WORKERS');
  });
});
