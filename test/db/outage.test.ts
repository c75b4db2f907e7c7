import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { SQLITE_FILE_NAME } from '../../src/db/index.js';
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

describe('a PostgreSQL that stalls or goes away: bounded requests answer 503 database_unavailable', () => {
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
      { kind: 'postgres', dataDir: mkdtempSync(join(tmpdir(), 'dst-outage-')), databaseUrl: viaProxy.href },
      BOUNDS,
    );
  });
  after(async () => {
    proxy?.resume();
    await service?.close().catch(() => {});
    await proxy?.cut();
    await drop?.();
  });

  it('answers 503 with Retry-After (not a hanging request) while the database stalls, and 200 once it answers', async function () {
    this.timeout(60_000);
    const app = (service as Service).app.callback();
    await request(app).get('/api/v1/members').expect(200);
    proxy?.stall();
    const started = Date.now();
    assertDatabaseUnavailable(await request(app).get('/api/v1/members'));
    // The bound is the statement timeout plus the client's margin; allow a loaded machine plenty.
    assert.ok(Date.now() - started < 15_000, `answered after ${Date.now() - started} ms`);
    proxy?.resume();
    let after = await request(app).get('/api/v1/members');
    for (let attempt = 0; after.status !== 200 && attempt < 20; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await request(app).get('/api/v1/members');
    }
    assert.equal(after.status, 200);
  });

  it('answers 503 database_unavailable, not 500 internal_error, while the database is unreachable', async function () {
    this.timeout(60_000);
    const app = (service as Service).app.callback();
    await proxy?.cut();
    try {
      assertDatabaseUnavailable(await request(app).get('/api/v1/members'));
      assertDatabaseUnavailable(await request(app).get('/api/v1/audit'));
    } finally {
      await proxy?.restore();
    }
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
