/**
 * A PUBLIC_URL with a path (`https://trust.example.org/trust`): the app strips that path before
 * routing, so the provider is mounted at /oidc below it, while the issuer and every URL it
 * publishes keep the path, and the wallet login rate limits apply to the prefixed URLs.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

const PUBLIC_URL = 'https://trust.example.org/trust';
const ISSUER = `${PUBLIC_URL}/oidc`;

describeEachDatabase('OpenID provider under a PUBLIC_URL with a path', (fresh) => {
  let service: Service | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it('serves discovery at /trust/oidc with the prefixed issuer and endpoints under it', async () => {
    service = await openTestService(await fresh(), { PUBLIC_URL });
    const response = await request(service.app.callback())
      .get('/trust/oidc/.well-known/openid-configuration')
      .expect(200);
    const metadata = response.body as Record<string, unknown>;
    assert.equal(metadata.issuer, ISSUER);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint']) {
      const url = metadata[endpoint];
      assert.equal(typeof url, 'string', endpoint);
      assert.ok((url as string).startsWith(`${ISSUER}/`), `${endpoint}: ${url}`);
    }
    await request(service.app.callback()).get('/trust/oidc/jwks').expect(200);
  });

  it('rate limits /trust/oidc/auth per address (429 rate_limited)', async () => {
    service = await openTestService(await fresh(), { PUBLIC_URL, RATE_LIMIT_PER_ADDRESS: '3' });
    const app = service.app.callback();
    for (let i = 0; i < 3; i++) await request(app).get('/trust/oidc/auth');
    const refused = await request(app).get('/trust/oidc/auth').expect(429);
    assert.equal(refused.body.error, 'rate_limited');
    assert.match(refused.headers['retry-after'] ?? '', /^[1-9][0-9]*$/);
  });
});
