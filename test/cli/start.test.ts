import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import pg from 'pg';
import { describeEachDatabase } from '../support/databases.js';
import { freePort, runCli, spawnCli, waitUntilReady } from '../support/process.js';
import { TEST_SECRET } from '../support/service.js';

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describeEachDatabase('dataspace-trust start (a real process)', (fresh) => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child) await stop(child);
    child = undefined;
  });

  it('honours PORT, PUBLIC_URL and DATA_DIR, serves the DID document, and keeps its keys across a restart', async function () {
    this.timeout(60_000);
    const database = await fresh();
    const port = await freePort();
    const env = {
      PORT: String(port),
      PUBLIC_URL: `http://localhost:${port}`,
      DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl,
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      LOG_LEVEL: 'warn',
      SHUTDOWN_DRAIN_MS: '0',
    };
    child = spawnCli(['start'], env);
    await waitUntilReady(`http://127.0.0.1:${port}/health/ready`);
    const first = (await (await fetch(`http://127.0.0.1:${port}/.well-known/did.json`)).json()) as {
      id: string;
    };
    assert.equal(first.id, `did:web:localhost%3A${port}`);
    assert.equal(await stop(child), 0);

    child = spawnCli(['start'], env);
    await waitUntilReady(`http://127.0.0.1:${port}/health/ready`);
    const second = await (await fetch(`http://127.0.0.1:${port}/.well-known/did.json`)).json();
    assert.deepEqual(second, first);
  });

  it('a port in use stops the first start before anything is created (port_in_use); the next start is a first start', async function () {
    this.timeout(90_000);
    const database = await fresh();
    const port = await freePort();
    const blocker = createServer().listen(port, '127.0.0.1');
    await once(blocker, 'listening');
    // No KEY_ENCRYPTION_SECRET: a start that got as far as the identity would generate one into DATA_DIR.
    const env = {
      PORT: String(port),
      DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl,
      LOG_LEVEL: 'warn',
      SHUTDOWN_DRAIN_MS: '0',
    };
    let failed: Awaited<ReturnType<typeof runCli>>;
    try {
      failed = await runCli(['start'], env);
    } finally {
      blocker.close();
    }
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /port_in_use: 127\.0\.0\.1:\d+ is already in use .*nothing was created/);
    assert.deepEqual(readdirSync(database.dataDir), [], 'no database file, no generated secret');
    if (database.databaseUrl) {
      const client = new pg.Client({ connectionString: database.databaseUrl });
      await client.connect();
      try {
        const tables = await client.query(
          `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`,
        );
        assert.equal(tables.rows[0].n, 0, 'not even migrated');
      } finally {
        await client.end();
      }
    }

    child = spawnCli(['start'], env);
    await waitUntilReady(`http://127.0.0.1:${port}/health/ready`, 60_000);
    assert.ok(readdirSync(database.dataDir).length > 0, 'the second start is the first real one');
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async function () {
    this.timeout(60_000);
    const database = await fresh();
    const port = await freePort();
    child = spawnCli(['start'], {
      PORT: String(port),
      DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl,
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_MS: '0',
    });
    let logs = '';
    child.stdout?.on('data', (chunk) => {
      logs += chunk;
    });
    await waitUntilReady(`http://127.0.0.1:${port}/health/ready`);

    // A request whose body is still arriving when the signal comes.
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const body = '{"application":"in flight"}';
    socket.write(
      `POST /api/v1/anything HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    let response = '';
    socket.on('data', (chunk) => {
      response += chunk;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(child.exitCode, null, 'still running while a request is in flight');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health/live`), 'no new connections are accepted');

    socket.write(body.slice(10));
    const [code] = (await once(child, 'exit')) as [number | null];
    child = undefined;
    assert.equal(code, 0);
    assert.match(response, /^HTTP\/1\.1 404 /, 'the in-flight request got its answer');
    assert.match(response, /"code":"not_found"/);
    assert.match(logs, /shutting down/);
    assert.match(logs, /"msg":"stopped"/);
  });
});
