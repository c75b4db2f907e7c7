import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource, migrate } from '../../src/db/index.js';
import { ServiceIdentity } from '../../src/identity/index.js';
import { ENTITIES, type Service } from '../../src/service.js';
import { createPostgresDatabase, isPostgresAvailable, type TestDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { openTestService, TEST_SECRET } from '../support/service.js';

const SUBJECT = {
  id: 'did:web:city.example',
  legalName: 'City of Example',
  roles: ['public-authority'],
  sides: ['supply', 'demand'],
  memberSince: '2026-01-01T00:00:00Z',
  rulebookVersion: '1.0.0',
};

async function issue(service: Service): Promise<string> {
  const issued = await service.credentials.issuer.issue({ type: 'MembershipCredential', subject: SUBJECT });
  assert.equal(issued.statusEntries.length, 2, 'with revocation and suspension entries');
  return issued.jwt;
}

async function assertVerifies(service: Service, jwt: string, where: string): Promise<void> {
  const result = await service.credentials.verifyCredential(jwt);
  assert.equal(
    result.verified,
    true,
    `${where}: ${JSON.stringify(result.checks.filter((c) => c.result === 'failed'))}`,
  );
}

describe('key rotation and retirement across two service instances on one PostgreSQL', () => {
  let a: Service | undefined;
  let b: Service | undefined;
  let drop: (() => Promise<void>) | undefined;
  let beforeRotation: string;
  let afterRotation: string;

  before(async function () {
    this.timeout(60_000);
    if (!(await isPostgresAvailable())) this.skip();
    const database = await createPostgresDatabase();
    drop = database.drop;
    const on = (): TestDatabase => ({
      kind: 'postgres',
      dataDir: mkdtempSync(join(tmpdir(), 'dst-replica-')),
      databaseUrl: database.url,
    });
    a = await openTestService(on());
    b = await openTestService(on());
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  it('a credential signed on A with a key rotated a moment ago verifies on B at once (no unknown_key)', async function () {
    this.timeout(60_000);
    const [replicaA, replicaB] = [a as Service, b as Service];
    beforeRotation = await issue(replicaA);
    // Both replicas load their keys and sign and cache the status lists with the first key.
    await assertVerifies(replicaA, beforeRotation, 'A before the rotation');
    await assertVerifies(replicaB, beforeRotation, 'B before the rotation');

    await replicaA.identity.rotate();
    afterRotation = await issue(replicaA);
    await assertVerifies(replicaB, afterRotation, 'B right after the rotation on A');
    await assertVerifies(replicaA, afterRotation, 'A right after the rotation');
  });

  it('after the old keys are retired, credentials with status entries signed with the new key verify on both (lists re-signed)', async function () {
    this.timeout(60_000);
    const [replicaA, replicaB] = [a as Service, b as Service];
    await replicaA.identity.retire();
    await assertVerifies(replicaA, afterRotation, 'A after the retirement');
    await assertVerifies(replicaB, afterRotation, 'B after the retirement');
    const old = await replicaA.credentials.verifyCredential(beforeRotation);
    assert.equal(old.verified, false, 'a credential signed with a retired key no longer verifies');
    assert.equal(old.checks.find((check) => check.check === 'signature')?.code, 'unknown_key');
  });
});

describe('dataspace-trust keys retire', () => {
  it('refuses while a credential signed with the previous key is in force, says how many, and retires with --force', async function () {
    this.timeout(120_000);
    const env = {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'dst-retire-')),
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      LOG_LEVEL: 'silent',
    };
    const issued = await runCli(
      [
        'credentials',
        'issue',
        '--type',
        'MembershipCredential',
        '--subject',
        SUBJECT.id,
        '--claims',
        JSON.stringify(SUBJECT),
        // A board-decided type: the operator must say it is issued outside a decision.
        '--force-outside-board',
      ],
      env,
    );
    assert.equal(issued.code, 0, issued.stderr);
    assert.equal((await runCli(['keys', 'rotate'], env)).code, 0);

    const refused = await runCli(['keys', 'retire'], env);
    assert.equal(refused.code, 1);
    const answer = JSON.parse(refused.stdout) as {
      code: string;
      keys: { kid: string; credentials: number }[];
    };
    assert.equal(answer.code, 'keys_in_use');
    assert.equal(
      answer.keys.reduce((sum, key) => sum + key.credentials, 0),
      1,
      'the one EdDSA credential',
    );
    assert.match(refused.stderr, /refusing to retire: 1 credential\(s\)/);
    const listed = JSON.parse((await runCli(['keys', 'list'], env)).stdout) as {
      status: string;
      use: string;
      algorithm: string;
    }[];
    const previous = (use: string) => listed.filter((key) => key.status === 'previous' && key.use === use);
    assert.equal(previous('did').length, 2, 'nothing retired');
    // The RSA token key is listed too, rotated with the DID's keys.
    assert.deepEqual(
      previous('oidc-token').map((key) => key.algorithm),
      ['RS256'],
    );
    assert.deepEqual(
      listed.filter((key) => key.use === 'oidc-token' && key.status === 'active').map((key) => key.algorithm),
      ['RS256'],
    );

    const forced = await runCli(['keys', 'retire', '--force'], env);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(forced.stdout).retired.length, 2);
  });
});

describe('reloading the keys for an unknown kid of the own DID', () => {
  it('happens at most once per interval, however many signatures name unknown kids', async function () {
    this.timeout(60_000);
    const dataSource = createDataSource({
      databaseUrl: undefined,
      dataDir: mkdtempSync(join(tmpdir(), 'dst-reload-')),
      entities: ENTITIES,
    });
    await dataSource.initialize();
    try {
      await migrate(dataSource);
      const identity = await ServiceIdentity.open({
        dataSource,
        publicUrl: 'http://localhost:3000',
        secretHex: TEST_SECRET,
        unknownKeyReloadIntervalMs: 3_600_000,
      });
      // Counts the key-set reads (each a database read of the keys and a decryption of each).
      const spied = identity as unknown as { reload: () => Promise<void> };
      const reload = spied.reload.bind(spied);
      let reads = 0;
      spied.reload = () => {
        reads++;
        return reload();
      };
      const burst = await Promise.all(Array.from({ length: 20 }, () => identity.reloadForUnknownKey()));
      assert.deepEqual(
        new Set(burst),
        new Set([true]),
        'the burst shares one reload, then looks the key up again',
      );
      assert.equal(reads, 1);
      const later = await Promise.all(Array.from({ length: 20 }, () => identity.reloadForUnknownKey()));
      assert.deepEqual(
        new Set(later),
        new Set([false]),
        'within the interval: no reload, unknown_key at once',
      );
      assert.equal(reads, 1);
    } finally {
      await dataSource.destroy();
    }
  });
});
