import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { inTransaction, isDatabaseUnavailable, SQLITE_FILE_NAME } from '../../src/db/index.js';
import type { Service } from '../../src/service.js';
import { createPostgresDatabase, isPostgresAvailable } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** Statement and connection bounds of one second, so that the tests do not wait long. */
const BOUNDS = { DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_CONNECT_TIMEOUT_MS: '1000' };

function assertDatabaseUnavailable(response: request.Response): void {
  assert.equal(response.status, 503);
  assert.equal(response.type, 'application/problem+json');
  assert.equal(JSON.parse(response.text).code, 'database_unavailable');
  assert.match(response.headers['retry-after'] ?? '', /^\d+$/);
}

/** Polls the member list every 200 ms until it answers 200 again (at most `attempts` more tries). */
async function answersAgain(app: Parameters<typeof request>[0], attempts: number): Promise<void> {
  let after = await request(app).get('/api/v1/members');
  for (let attempt = 0; after.status !== 200 && attempt < attempts; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    after = await request(app).get('/api/v1/members');
  }
  assert.equal(after.status, 200);
}

/** A service on a fresh PostgreSQL database reached through a TCP proxy the test can stall or cut. */
function serviceBehindProxy(bounds: Record<string, string>, label: string) {
  const context: { service?: Service; proxy?: TcpProxy; drop?: () => Promise<void> } = {};
  before(async function () {
    if (!(await isPostgresAvailable())) this.skip();
    const database = await createPostgresDatabase();
    context.drop = database.drop;
    const target = new URL(database.url);
    context.proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${await context.proxy.start()}`;
    context.service = await openTestService(
      { kind: 'postgres', dataDir: mkdtempSync(join(tmpdir(), `dst-${label}-`)), databaseUrl: viaProxy.href },
      bounds,
    );
  });
  after(async () => {
    context.proxy?.resume();
    await context.service?.close().catch(() => {});
    await context.proxy?.cut();
    await context.drop?.();
  });
  return context;
}

describe('a PostgreSQL that stalls or goes away: bounded requests answer 503 database_unavailable', () => {
  const context = serviceBehindProxy(BOUNDS, 'outage');

  it('answers 503 with Retry-After (not a hanging request) while the database stalls, and 200 once it answers', async function () {
    this.timeout(60_000);
    const app = (context.service as Service).app.callback();
    await request(app).get('/api/v1/members').expect(200);
    context.proxy?.stall();
    const started = Date.now();
    assertDatabaseUnavailable(await request(app).get('/api/v1/members'));
    // The bound is the statement timeout plus the client's margin; allow a loaded machine plenty.
    assert.ok(Date.now() - started < 15_000, `answered after ${Date.now() - started} ms`);
    context.proxy?.resume();
    await answersAgain(app, 20);
  });

  it('answers 503 database_unavailable, not 500 internal_error, while the database is unreachable', async function () {
    this.timeout(60_000);
    const app = (context.service as Service).app.callback();
    await context.proxy?.cut();
    try {
      assertDatabaseUnavailable(await request(app).get('/api/v1/members'));
      assertDatabaseUnavailable(await request(app).get('/api/v1/audit'));
    } finally {
      await context.proxy?.restore();
    }
  });
});

describe('a PostgreSQL known to be down: requests fail fast instead of waiting for their own timeouts', () => {
  // A long statement bound: a request that waited for it would take 8 s; failing fast takes none.
  const context = serviceBehindProxy(
    { DATABASE_STATEMENT_TIMEOUT_MS: '8000', DATABASE_CONNECT_TIMEOUT_MS: '1000' },
    'failfast',
  );

  it('once readiness has found the database stalled, the API answers 503 at once, the OIDC endpoints in the OAuth shape, the DID document still 200', async function () {
    this.timeout(60_000);
    const app = (context.service as Service).app.callback();
    await request(app).get('/api/v1/members').expect(200);
    context.proxy?.stall();
    try {
      const ready = await request(app).get('/health/ready');
      assert.equal(ready.status, 503);
      assert.equal(ready.body.checks.database, 'down');

      const started = Date.now();
      assertDatabaseUnavailable(await request(app).get('/api/v1/members'));
      assertDatabaseUnavailable(
        await request(app).post('/api/v1/credentials/verify').send({ credential: 'x.y.z' }),
      );
      const elapsed = Date.now() - started;
      // Well below the 8 s a request waiting for its statement bound would take.
      assert.ok(elapsed < 4_000, `answered after ${elapsed} ms`);

      const token = await request(app)
        .post('/oidc/token')
        .type('form')
        .send({ grant_type: 'client_credentials' });
      assert.equal(token.status, 503);
      assert.equal(token.body.error, 'temporarily_unavailable');
      assert.match(token.headers['retry-after'] ?? '', /^\d+$/);

      await request(app).get('/.well-known/did.json').expect(200);
      await request(app).get('/health/live').expect(200);
    } finally {
      context.proxy?.resume();
    }
    // Probed again every second: back without a restart.
    await answersAgain(app, 50);
  });

  it('one request that met a stall is enough: after its probe, the next ones fail fast without a readiness probe', async function () {
    this.timeout(60_000);
    const app = (context.service as Service).app.callback();
    await request(app).get('/api/v1/members').expect(200);
    context.proxy?.stall();
    try {
      // This one waits for its statement bound (8 s), answers 503 and reports the outage.
      assertDatabaseUnavailable(await request(app).get('/api/v1/audit'));
      // The report's probe decides within its own 1 s bound.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const started = Date.now();
      assertDatabaseUnavailable(await request(app).get('/api/v1/members'));
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 4_000, `answered after ${elapsed} ms`);
    } finally {
      context.proxy?.resume();
    }
    await answersAgain(app, 50);
  });
});

describe('an SQLite database locked by another process beyond the busy timeout', () => {
  it('answers 503 database_unavailable to a write', async function () {
    this.timeout(30_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'dst-busy-'));
    const service = await openTestService(
      { kind: 'sqlite', dataDir, databaseUrl: undefined },
      { DATABASE_STATEMENT_TIMEOUT_MS: '200' },
    );
    const other = new Database(join(dataDir, SQLITE_FILE_NAME));
    try {
      other.exec('BEGIN EXCLUSIVE');
      assertDatabaseUnavailable(await request(service.app.callback()).get('/api/v1/membership/challenge'));
    } finally {
      other.exec('ROLLBACK');
      other.close();
      await service.close();
    }
  });
});

describe('a transaction cut by a stall leaves no connection in a failed transaction behind', () => {
  const context = serviceBehindProxy(BOUNDS, 'aborted');

  it('discards the connection: afterwards every pooled connection answers (none is left in a failed transaction)', async function () {
    this.timeout(90_000);
    const dataSource = (context.service as Service).dataSource;
    // The server's statement_timeout (1 s) cancels pg_sleep while the proxy holds its answer: the
    // client's own timeout fires first, and the server's session is left in a failed transaction.
    await assert.rejects(
      inTransaction(dataSource, undefined, async (manager) => {
        await manager.query('SELECT 1');
        const slow = manager.query('SELECT pg_sleep(3)');
        setTimeout(() => context.proxy?.stall(), 200);
        await slow;
      }),
      (error: unknown) => isDatabaseUnavailable(error),
    );
    context.proxy?.resume();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    // Every pooled connection is borrowed, several times, side by side: none answers "current
    // transaction is aborted" (the session the client gave up on is closed, not pooled).
    for (let round = 0; round < 4; round++) {
      await Promise.all(Array.from({ length: 12 }, () => dataSource.query('SELECT 1')));
    }
  });
});
