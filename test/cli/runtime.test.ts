import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT, runCli, spawnCli, waitUntilReady } from '../support/process.js';
import { TEST_SECRET } from '../support/service.js';

describe('the dataspace-trust command as a process', () => {
  it('prints its version with --version', async function () {
    this.timeout(60_000);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version'], {});
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), version);
  });

  it('writes only JSON lines to stdout and stderr when started (the library runtime warning goes through the log)', async function () {
    this.timeout(60_000);
    const port = await freePort();
    const child: ChildProcess = spawnCli(['start'], {
      PORT: String(port),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'dst-json-log-')),
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_MS: '0',
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    try {
      await waitUntilReady(`http://127.0.0.1:${port}/health/ready`, 45_000);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    const lines = `${stdout}\n${stderr}`.split('\n').filter((line) => line.trim() !== '');
    assert.ok(lines.length > 0);
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not a JSON line: ${line}`);
    if (Number(process.versions.node.split('.')[0]) < 22) {
      assert.ok(
        lines.some((line) => /Unsupported runtime/.test(JSON.parse(line).msg)),
        "oidc-provider's runtime warning is logged as JSON",
      );
    }
  });
});
