/**
 * A database outage during OpenID Connect requests: 503 `temporarily_unavailable` (RFC 6749
 * §4.1.2.1) with Retry-After, never 500 `server_error`.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import { createPostgresDatabase, isPostgresAvailable } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { REDIRECT_URI } from './support.js';

const BOUNDS = { DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_CONNECT_TIMEOUT_MS: '1000' };

function assertTemporarilyUnavailable(response: request.Response, what: string): void {
  assert.equal(response.status, 503, `${what}: ${response.status} ${response.text}`);
  assert.equal(response.body.error, 'temporarily_unavailable', what);
  assert.match(response.headers['retry-after'] ?? '', /^[1-9][0-9]*$/, what);
}

describe('OpenID Connect during a database outage: 503 temporarily_unavailable with Retry-After', () => {
  let service: Service | undefined;
  let proxy: TcpProxy | undefined;
  let drop: (() => Promise<void>) | undefined;

  before(async function () {
    if (!(await isPostgresAvailable())) this.skip();
    const database = await createPostgresDatabase();
    drop = database.drop;
    const target = new URL(database.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${await proxy.start()}`;
    service = await openTestService(
      {
        kind: 'postgres',
        dataDir: mkdtempSync(join(tmpdir(), 'dst-oidc-outage-')),
        databaseUrl: viaProxy.href,
      },
      BOUNDS,
    );
  });
  after(async () => {
    await service?.close().catch(() => {});
    await proxy?.cut();
    await drop?.();
  });

  it('answers /oidc/auth, /oidc/token and /oidc/me with 503, not 500 server_error', async function () {
    this.timeout(60_000);
    const app = (service as Service).app.callback();
    await proxy?.cut();
    try {
      assertTemporarilyUnavailable(
        await request(app)
          .get('/oidc/auth')
          .query({
            client_id: 'portal',
            response_type: 'code',
            scope: 'openid',
            redirect_uri: REDIRECT_URI,
            state: 'S'.repeat(24),
            code_challenge: 'x'.repeat(43),
            code_challenge_method: 'S256',
          }),
        '/oidc/auth',
      );
      assertTemporarilyUnavailable(
        await request(app)
          .post('/oidc/token')
          .type('form')
          .auth('portal', 'secret')
          .send({ grant_type: 'authorization_code', code: 'c'.repeat(43), redirect_uri: REDIRECT_URI }),
        '/oidc/token',
      );
      assertTemporarilyUnavailable(
        await request(app)
          .get('/oidc/me')
          .set('Authorization', `Bearer ${'t'.repeat(43)}`),
        '/oidc/me',
      );
    } finally {
      await proxy?.restore();
    }
  });
});
