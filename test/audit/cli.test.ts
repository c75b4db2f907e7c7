import { strict as assert } from 'node:assert';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
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

  it('verify prints { valid, size, headHash } and exits 0 for an intact log', async function () {
    this.timeout(30_000);
    const result = await runCli(['audit', 'verify'], env());
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout);
    assert.equal(printed.valid, true);
    assert.equal(printed.size, 4);
    assert.match(printed.headHash, /^[0-9a-f]{64}$/);
  });

  it('verify prints the first altered entry and exits 1 for a tampered log', async function () {
    this.timeout(30_000);
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
    this.timeout(30_000);
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
    this.timeout(30_000);
    const result = await runCli(['audit', 'checkpoint'], env());
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout);
    assert.equal(printed.size, 4);
    assert.match(printed.headHash, /^[0-9a-f]{64}$/);
    assert.equal(printed.signature.split('.').length, 3);
  });
});
