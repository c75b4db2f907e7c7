import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { describeEachDatabase } from '../support/databases.js';
import { freePort, runCli, spawnCli, waitUntilReady } from '../support/process.js';
import { TEST_SECRET } from '../support/service.js';

const TOKEN = 'cluster-metrics-token-0123';

/** Posts on a new connection each time, so that the cluster hands requests to its workers in turn. */
function postFresh(
  port: number,
  path: string,
  body: unknown,
): Promise<{
  status: number;
  body: Record<string, unknown> & { checks: { check: string; code?: string }[] };
}> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Collects the JSON log lines of a process and resolves when one satisfies a condition. */
function logWatcher(child: ChildProcess) {
  const lines: Record<string, unknown>[] = [];
  const waiters: { test: (line: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text);
      } catch {
        continue;
      }
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  });
  return {
    lines,
    until(test: (line: Record<string, unknown>) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
      if (lines.some(test)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line: ${what}`)), timeoutMs);
        waiters.push({
          test,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

const workerReadies = (lines: Record<string, unknown>[]) =>
  lines
    .filter((line) => line.msg === 'ready' && typeof line.worker === 'number')
    .map((line) => line.worker as number);

describeEachDatabase('dataspace-trust start with WORKERS=2 (node:cluster)', (fresh) => {
  let primary: ChildProcess | undefined;
  afterEach(async () => {
    if (primary && primary.exitCode === null) {
      primary.kill('SIGKILL');
      await once(primary, 'exit');
    }
    primary = undefined;
  });

  it('bootstraps once on an empty database, shares the port, sees a revocation in every worker at once, sums their metrics, restarts a dead worker and stops on SIGTERM sent to every process', async function () {
    this.timeout(400_000);
    const database = await fresh();
    const port = await freePort();
    const metricsPort = await freePort();
    const env = {
      PORT: String(port),
      DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl,
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      LOG_LEVEL: 'info',
      WORKERS: '2',
      METRICS_PORT: String(metricsPort),
      METRICS_TOKEN: TOKEN,
    };
    primary = spawnCli(['start'], env);
    const log = logWatcher(primary);
    await log.until(
      (line) => workerReadies([line]).length > 0 && workerReadies(log.lines).length >= 2,
      'two workers ready',
      240_000,
    );
    await waitUntilReady(`http://127.0.0.1:${port}/health/ready`);
    const [first, second] = workerReadies(log.lines);
    assert.notEqual(first, second);
    // The primary logs the development defaults (loopback URL, no PUBLIC_URL) once; workers stay quiet.
    const developmentWarnings = log.lines.filter((line) => line.msg === 'running on development defaults');
    assert.equal(developmentWarnings.length, 1);
    assert.equal(developmentWarnings[0]?.worker, undefined);
    const metricsLines = log.lines.filter((line) => line.msg === 'metrics listening');
    assert.deepEqual(
      metricsLines.map((line) => [line.metrics, line.tokenRequired]),
      [[`127.0.0.1:${metricsPort}`, true]],
    );

    const cliEnv = { ...env, WORKERS: '1', METRICS_PORT: undefined, LOG_LEVEL: 'error' };
    const claims = JSON.stringify({
      legalName: 'City of Example',
      roles: ['public-authority'],
      sides: ['supply'],
      memberSince: '2026-01-01T00:00:00Z',
      rulebookVersion: '1.0.0',
    });
    const issued = await runCli(
      [
        'credentials',
        'issue',
        '--type',
        'MembershipCredential',
        '--subject',
        'did:web:city.example',
        '--claims',
        claims,
        '--force-outside-board',
      ],
      cliEnv,
    );
    assert.equal(issued.code, 0, issued.stderr);
    const { id, jwt } = JSON.parse(issued.stdout) as { id: string; jwt: string };
    const verify = () => postFresh(port, '/api/v1/credentials/verify', { credential: jwt });

    for (let i = 0; i < 4; i++) assert.equal((await verify()).body.verified, true);
    // Another process revokes: every worker must refuse from its next request on.
    const revoked = await runCli(['credentials', 'revoke', id], cliEnv);
    assert.equal(revoked.code, 0, revoked.stderr);
    for (let i = 0; i < 4; i++) {
      const result = (await verify()).body;
      assert.equal(result.verified, false);
      assert.equal(result.checks.find((c: { check: string }) => c.check === 'status')?.code, 'revoked');
    }

    // The primary's scrape sums both workers: 4 + 4 verifications, though each worker saw about half.
    const unauthenticated = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(unauthenticated.status, 401);
    const text = await (
      await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    ).text();
    assert.match(text, /dataspace_trust_verifications_total\{kind="credential",verified="true"\} 4\n/);
    assert.match(text, /dataspace_trust_verifications_total\{kind="credential",verified="false"\} 4\n/);
    const publicPort = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(publicPort.status, 404);

    // A worker that dies is replaced.
    process.kill(first as number, 'SIGKILL');
    await log.until(() => workerReadies(log.lines).length >= 3, 'a replacement worker ready', 120_000);
    const replacement = workerReadies(log.lines)[2];
    assert.ok(replacement !== first && replacement !== second);
    assert.equal((await verify()).status, 200);

    // SIGTERM to the whole process group, as `npm start` under a terminal or a shell-form
    // container entrypoint delivers it: every worker gets it twice (directly, then forwarded).
    // The workers get theirs first; the primary's arrives a moment later (through npm).
    for (const pid of [second, replacement]) process.kill(pid as number, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    primary.kill('SIGTERM');
    const [code] = (await once(primary, 'exit')) as [number | null];
    assert.equal(code, 0);
    for (const pid of [second, replacement]) {
      assert.throws(() => process.kill(pid as number, 0), { code: 'ESRCH' }, `worker ${pid} is gone`);
    }
  });
});
