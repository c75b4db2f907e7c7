import { strict as assert } from 'node:assert';
import { createDataSource, MIGRATIONS, migrate } from '../../src/db/index.js';
import { ENTITIES, type Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { openTestService, TEST_SECRET } from '../support/service.js';

/** Opens `count` services on one database at the same moment; closes every one that opened. */
async function openTogether(
  database: Parameters<typeof openTestService>[0],
  count: number,
): Promise<Service[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => openTestService(database)));
  const opened = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  if (failures.length > 0) {
    await Promise.all(opened.map((service) => service.close()));
    assert.fail(`${failures.length} of ${count} failed to start: ${failures[0]}`);
  }
  return opened;
}

describeEachDatabase('replicas starting together (startup lock)', (fresh) => {
  async function assertOneIdentity(services: Service[]): Promise<void> {
    const documents = await Promise.all(services.map((service) => service.identity.document()));
    for (const document of documents)
      assert.deepEqual(document, documents[0], 'every replica serves one DID document');
    assert.equal(
      documents[0]?.verificationMethod.length,
      2,
      'one Ed25519 and one P-256 key, not a set per replica',
    );
    const [{ count }] = (await (services[0] as Service).dataSource.query(
      'SELECT COUNT(*) AS count FROM identity_key',
    )) as [{ count: string | number }];
    assert.equal(Number(count), 2);
  }

  it('four services started at once on an empty database all open, with one migration run and one identity', async function () {
    this.timeout(120_000);
    const database = await fresh();
    const services = await openTogether(database, 4);
    try {
      await assertOneIdentity(services);
      const rows = (await services[0]?.dataSource.query('SELECT name FROM migrations')) as { name: string }[];
      assert.deepEqual(
        rows.map((row) => row.name).sort(),
        MIGRATIONS.map((migration) => new migration().name as string).sort(),
        'each migration applied exactly once',
      );
    } finally {
      await Promise.all(services.map((service) => service.close()));
    }
  });

  it('four services started at once on a migrated database without identity make one set of keys', async function () {
    this.timeout(120_000);
    const database = await fresh();
    const migrator = createDataSource({ ...database, entities: ENTITIES });
    await migrator.initialize();
    await migrate(migrator);
    await migrator.destroy();
    const services = await openTogether(database, 4);
    try {
      await assertOneIdentity(services);
    } finally {
      await Promise.all(services.map((service) => service.close()));
    }
  });

  it('two `migrate` commands run at once both exit 0', async function () {
    this.timeout(120_000);
    const database = await fresh();
    const env = {
      DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl,
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      LOG_LEVEL: 'warn',
    };
    const results = await Promise.all([runCli(['migrate'], env), runCli(['migrate'], env)]);
    for (const result of results) assert.equal(result.code, 0, result.stderr);
  });
});
