import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase, isPostgresAvailable } from '../support/databases.js';
import { freePort, spawnCli, waitUntilReady } from '../support/process.js';
import { TEST_SECRET } from '../support/service.js';
import { TcpProxy } from '../support/tcp-proxy.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function get(port: number, path: string, agent?: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, ...(agent ? { agent } : {}) }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function exitWithin(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  assert.notEqual(signal, 'SIGKILL', `the process did not exit within ${ms} ms`);
  return code;
}

describe('the service process over a PostgreSQL behind a proxy that is closed, stalled, opened', () => {
  let proxy: TcpProxy | undefined;
  let drop: (() => Promise<void>) | undefined;
  let child: ChildProcess | undefined;
  let env: Record<string, string | undefined>;
  let port: number;

  before(async function () {
    if (!(await isPostgresAvailable())) this.skip();
    const database = await createPostgresDatabase();
    drop = database.drop;
    const target = new URL(database.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const proxyPort = await proxy.start();
    await proxy.cut(); // closed: nothing listens on the database's address yet
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${proxyPort}`;
    port = await freePort();
    env = {
      PORT: String(port),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'dst-lifecycle-')),
      DATABASE_URL: viaProxy.href,
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      LOG_LEVEL: 'info',
      DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      SHUTDOWN_TIMEOUT_MS: '1000',
    };
  });
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = undefined;
    proxy?.resume();
  });
  after(async () => {
    await proxy?.cut();
    await drop?.();
  });

  it('starts while the database is not reachable yet and becomes ready once it is', async function () {
    this.timeout(120_000);
    child = spawnCli(['start'], env);
    let logs = '';
    child.stdout?.on('data', (chunk) => {
      logs += chunk;
    });
    // The process is up (it logged "starting") and has tried the database for two seconds.
    for (let waited = 0; !logs.includes('"msg":"starting"') && waited < 60_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(child.exitCode, null, 'still waiting for the database, not exited');
    await proxy?.restore();
    await waitUntilReady(`http://127.0.0.1:${port}/health/ready`, 90_000);
    assert.match(logs, /database not reachable yet: retrying/);
    child.kill('SIGTERM');
    assert.equal(await exitWithin(child, 30_000), 0);
  });

  it('on SIGTERM: readiness 503 while draining, Connection: close on keep-alive answers, then exits in time although the database stalls', async function () {
    this.timeout(120_000);
    child = spawnCli(['start'], { ...env, SHUTDOWN_DRAIN_MS: '3000' });
    await waitUntilReady(`http://127.0.0.1:${port}/health/ready`, 90_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const before = await get(port, '/health/live', agent);
    assert.equal(before.headers.connection, 'keep-alive');

    proxy?.stall();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ready = await get(port, '/health/ready');
    assert.equal(ready.status, 503, 'readiness answers 503 during the drain, the listener still accepts');
    assert.equal(JSON.parse(ready.body).checks.shutdown, 'in_progress');
    const live = await get(port, '/health/live', agent);
    assert.equal(live.status, 200);
    assert.equal(live.headers.connection, 'close', 'a kept-alive connection is told to close, not reset');
    agent.destroy();

    // Drain 3 s + requests 1 s + closing the stalled database at least 1 s; a loaded machine may add more.
    assert.equal(await exitWithin(child, 30_000), 0);
  });
});
