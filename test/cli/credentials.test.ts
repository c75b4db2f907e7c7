import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachDatabase } from '../support/databases.js';
import { freePort, runCli, spawnCli, waitUntilReady } from '../support/process.js';
import { TEST_SECRET } from '../support/service.js';

describeEachDatabase('dataspace-trust credentials (issue, verify over HTTP, revoke)', (fresh) => {
  let server: ChildProcess | undefined;
  afterEach(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    server = undefined;
  });

  it('a credential issued by the CLI verifies over HTTP, and after `credentials revoke` it fails with code revoked', async function () {
    this.timeout(90_000);
    const database = await fresh();
    const port = await freePort();
    const env = {
      PORT: String(port),
      DATA_DIR: database.dataDir ?? mkdtempSync(join(tmpdir(), 'dst-')),
      DATABASE_URL: database.databaseUrl,
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      SHUTDOWN_DRAIN_MS: '0', // no load balancer in front: stop at once
      LOG_LEVEL: 'error',
    };
    server = spawnCli(['start'], env);
    await waitUntilReady(`http://127.0.0.1:${port}/health/ready`);
    const claims = JSON.stringify({
      legalName: 'City of Example',
      roles: ['public-authority'],
      sides: ['supply', 'demand'],
      memberSince: '2026-01-01T00:00:00Z',
      rulebookVersion: '1.0.0',
    });
    const issue = [
      'credentials',
      'issue',
      '--type',
      'MembershipCredential',
      '--subject',
      'did:web:city.example',
    ];
    // A MembershipCredential is the board's decision: the operator is refused unless forcing it.
    const refused = await runCli([...issue, '--claims', claims], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /board_decision_required/);
    const issued = await runCli([...issue, '--claims', claims, '--force-outside-board'], env);
    assert.equal(issued.code, 0, issued.stderr);
    const { id, jwt } = JSON.parse(issued.stdout) as { id: string; jwt: string };
    const verify = async () =>
      (await fetch(`http://127.0.0.1:${port}/api/v1/credentials/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ credential: jwt }),
      }).then((response) => response.json())) as {
        verified: boolean;
        checks: { check: string; code?: string }[];
      };

    assert.equal((await verify()).verified, true);
    const revoked = await runCli(['credentials', 'revoke', id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(JSON.parse(revoked.stdout).revoked, true);
    const after = await verify();
    assert.equal(after.verified, false);
    assert.equal(after.checks.find((check) => check.check === 'status')?.code, 'revoked');

    const schemaViolation = await runCli([...issue, '--claims', '{}', '--force-outside-board'], env);
    assert.equal(schemaViolation.code, 1);
    assert.match(schemaViolation.stderr, /violates the MembershipCredential schema/);

    // Both operator actions are in the public audit log; the refused and the failed ones are not.
    const audit = (await fetch(`http://127.0.0.1:${port}/api/v1/audit?limit=500`).then((r) => r.json())) as {
      items: { kind: string; actor: string; subject: string; data: Record<string, unknown> }[];
    };
    const operator = audit.items.filter((entry) => entry.kind.startsWith('operator.credential.'));
    assert.deepEqual(
      operator.map((entry) => [entry.kind, entry.actor, entry.subject]),
      [
        ['operator.credential.issued', 'operator', id],
        ['operator.credential.revoked', 'operator', id],
      ],
    );
    assert.equal(operator[0]?.data.forcedOutsideBoard, true);
    assert.equal(operator[0]?.data.type, 'MembershipCredential');
  });
});
