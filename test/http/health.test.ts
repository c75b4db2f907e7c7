import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Service } from '../../src/service.js';
import { createPostgresDatabase, describeEachDatabase, isPostgresAvailable } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { TcpProxy } from '../support/tcp-proxy.js';

describeEachDatabase('health probes', (fresh) => {
  let service: Service | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it('GET /health/live answers 200', async () => {
    service = await openTestService(await fresh());
    const response = await request(service.app.callback()).get('/health/live').expect(200);
    assert.deepEqual(response.body, { status: 'live' });
  });

  it('GET /health/ready answers 200 while the database answers', async () => {
    service = await openTestService(await fresh());
    const response = await request(service.app.callback()).get('/health/ready').expect(200);
    assert.equal(response.body.checks.database, 'up');
  });

  it('GET /health/ready answers 503 once shutdown has begun', async () => {
    service = await openTestService(await fresh());
    service.beginShutdown();
    const response = await request(service.app.callback()).get('/health/ready').expect(503);
    assert.equal(response.body.checks.shutdown, 'in_progress');
  });

  it('GET /health/ready answers 503 after the database is closed', async () => {
    service = await openTestService(await fresh());
    await service.dataSource.destroy();
    const response = await request(service.app.callback()).get('/health/ready').expect(503);
    assert.equal(response.body.checks.database, 'down');
  });
});

describe('readiness follows a PostgreSQL that disappears and returns', () => {
  let service: Service | undefined;
  let proxy: TcpProxy | undefined;
  let drop: (() => Promise<void>) | undefined;

  before(async function () {
    if (!(await isPostgresAvailable())) this.skip();
  });
  after(async () => {
    await service?.close().catch(() => {});
    await proxy?.cut();
    await drop?.();
  });

  it('goes 503 while the database is unreachable and 200 again without a restart', async function () {
    this.timeout(30_000);
    const database = await createPostgresDatabase();
    drop = database.drop;
    const target = new URL(database.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${port}`;
    service = await openTestService({
      kind: 'postgres',
      dataDir: mkdtempSync(join(tmpdir(), 'dst-ready-')),
      databaseUrl: viaProxy.href,
    });
    const app = service.app.callback();
    await request(app).get('/health/ready').expect(200);

    await proxy.cut();
    const down = await request(app).get('/health/ready').expect(503);
    assert.equal(down.body.checks.database, 'down');
    await request(app).get('/health/live').expect(200);

    await proxy.restore();
    let up = await request(app).get('/health/ready');
    // The pool may hand out one connection that died with the cut before it notices.
    for (let attempt = 0; up.status !== 200 && attempt < 10; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      up = await request(app).get('/health/ready');
    }
    assert.equal(up.status, 200);
    assert.equal(up.body.checks.database, 'up');
  });
});
