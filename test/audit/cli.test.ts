import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { freePort, runCli } from '../support/process.js';
import { openTestService, TEST_SECRET } from '../support/service.js';
import { dropAppendOnlyTriggers, vote } from './support.js';

describeEachDatabase('dataspace-trust audit', (fresh) => {
  let database: TestDatabase;
  const env = () => ({
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.databaseUrl,
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    PUBLIC_URL: 'http://localhost:3000',
    LOG_LEVEL: 'silent',
  });

  beforeEach(async function () {
    this.timeout(20_000);
    database = await fresh();
    const service = await openTestService(database);
    try {
      for (let i = 1; i <= 4; i++) await service.audit.append(vote(i));
    } finally {
      await service.close();
    }
  });

  it('verify prints { valid, size, headHash, checkpoints, kept: 0 } and exits 0 for an intact log', async function () {
    this.timeout(60_000);
    const result = await runCli(['audit', 'verify'], env());
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout);
    assert.equal(printed.valid, true);
    assert.equal(printed.size, 5);
    assert.match(printed.headHash, /^[0-9a-f]{64}$/);
    assert.equal(printed.checkpoints, 0);
    assert.equal(printed.kept, 0, 'kept counts the checkpoints passed with --checkpoint: none');
  });

  it('verify prints the first altered entry and exits 1 for a tampered log', async function () {
    this.timeout(60_000);
    const service = await openTestService(database);
    try {
      await dropAppendOnlyTriggers(service.dataSource);
      await service.dataSource.query(`UPDATE audit_entry SET kind = 'member.admitted' WHERE sequence = 2`);
    } finally {
      await service.close();
    }
    const result = await runCli(['audit', 'verify'], env());
    assert.equal(result.code, 1, result.stderr);
    const printed = JSON.parse(result.stdout);
    assert.equal(printed.valid, false);
    assert.equal(printed.problem, 'altered');
    assert.equal(printed.firstBadSequence, 2);
    assert.equal(printed.entry.kind, 'member.admitted');
  });

  it('verify exits 1 with problem removed when an entry was deleted', async function () {
    this.timeout(60_000);
    const service = await openTestService(database);
    try {
      await dropAppendOnlyTriggers(service.dataSource);
      await service.dataSource.query('DELETE FROM audit_entry WHERE sequence = 3');
    } finally {
      await service.close();
    }
    const result = await runCli(['audit', 'verify'], env());
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(
      (({ problem, firstBadSequence }) => ({ problem, firstBadSequence }))(JSON.parse(result.stdout)),
      { problem: 'removed', firstBadSequence: 3 },
    );
  });

  it('checkpoint prints a signed checkpoint of the head', async function () {
    this.timeout(60_000);
    const result = await runCli(['audit', 'checkpoint'], env());
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout);
    assert.equal(printed.size, 5);
    assert.match(printed.headHash, /^[0-9a-f]{64}$/);
    assert.equal(printed.signature.split('.').length, 3);
  });
});

describeEachDatabase('dataspace-trust audit verify --url (public API only) --checkpoint (kept)', (fresh) => {
  it('verifies over HTTP without configuration, and proves a cut tail against a kept checkpoint file', async function () {
    this.timeout(60_000);
    const port = await freePort();
    const service = await openTestService(await fresh(), { PUBLIC_URL: `http://localhost:${port}` });
    const server = createServer(service.app.callback()).listen(port, '127.0.0.1');
    try {
      await once(server, 'listening');
      for (let i = 1; i <= 4; i++) await service.audit.append(vote(i));
      const keptFile = join(mkdtempSync(join(tmpdir(), 'dst-kept-')), 'checkpoint.json');
      writeFileSync(keptFile, JSON.stringify(await service.audit.checkpoint()));
      const url = `http://localhost:${port}`;
      // No DATA_DIR, no DATABASE_URL, no secret: only HTTP.
      const intact = await runCli(['audit', 'verify', '--url', url, '--checkpoint', keptFile], {});
      assert.equal(intact.code, 0, intact.stderr);
      assert.equal(JSON.parse(intact.stdout).valid, true);
      assert.equal(
        JSON.parse(intact.stdout).kept,
        1,
        'the one checkpoint passed, not the head fetched as well',
      );
      const none = await runCli(['audit', 'verify', '--url', url], {});
      assert.equal(none.code, 0, none.stderr);
      assert.equal(JSON.parse(none.stdout).kept, 0, 'as in a local verification: no checkpoint passed');

      await dropAppendOnlyTriggers(service.dataSource);
      const last = await service.audit.entry(3);
      if (service.dataSource.options.type !== 'postgres') {
        await service.dataSource.query('DROP TRIGGER audit_checkpoint_no_delete');
      }
      await service.dataSource.query('DELETE FROM audit_entry WHERE sequence > 3');
      await service.dataSource.query('DELETE FROM audit_checkpoint');
      await service.dataSource.query(`UPDATE audit_head SET size = 3, head_hash = '${last?.hash}'`);
      const cut = await runCli(['audit', 'verify', '--url', url, '--checkpoint', keptFile], {});
      assert.equal(cut.code, 1, cut.stderr);
      const printed = JSON.parse(cut.stdout);
      assert.deepEqual([printed.problem, printed.firstBadSequence], ['removed', 4]);
    } finally {
      server.close();
      await service.close();
    }
  });
});
