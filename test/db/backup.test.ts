import { strict as assert } from 'node:assert';
import { existsSync, lstatSync, mkdtempSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { backupSqlite } from '../../src/db/backup.js';
import type { Service } from '../../src/service.js';
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

function issuedIn(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM credential_issuance').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('dataspace-trust backup and restore (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dst-backup-'));
  const source = { kind: 'sqlite' as const, dataDir: join(dir, 'source'), databaseUrl: undefined };
  const backupFile = join(dir, 'backup.sqlite');
  const env = (dataDir: string) => ({
    DATA_DIR: dataDir,
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
  });
  let did: string;

  it('backs up while the service writes: the copy opens, is intact and holds the rows committed before', async function () {
    this.timeout(120_000);
    const service: Service = await openTestService(source);
    try {
      did = service.identity.did;
      let writing = true;
      let committed = 0;
      const writer = (async () => {
        while (writing) {
          await service.credentials.issuer.issue({ type: 'MembershipCredential', subject: SUBJECT });
          committed++;
        }
      })();
      while (committed < 5) await new Promise((resolve) => setTimeout(resolve, 20));
      const before = committed;
      const result = await runCli(['backup', backupFile], env(source.dataDir));
      writing = false;
      await writer;
      assert.equal(result.code, 0, result.stderr);
      assert.ok(JSON.parse(result.stdout).migrations > 0);
      const db = new Database(backupFile, { readonly: true });
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      db.close();
      assert.ok(
        issuedIn(backupFile) >= before,
        `the copy holds ${issuedIn(backupFile)} of at least ${before} rows`,
      );

      const again = await runCli(['backup', backupFile], env(source.dataDir));
      assert.equal(again.code, 1);
      assert.match(again.stderr, /exists already/);

      const inUse = await runCli(['restore', backupFile, '--force'], env(source.dataDir));
      assert.equal(inUse.code, 1, 'refuses while the service uses DATA_DIR');
      assert.match(inUse.stderr, /stop it before restoring/);
    } finally {
      await service.close();
    }
  });

  it('restores into an empty DATA_DIR: the service starts there with the same DID and keys', async function () {
    this.timeout(120_000);
    const target = join(dir, 'restored');
    const result = await runCli(['restore', backupFile], env(target));
    assert.equal(result.code, 0, result.stderr);
    const restored = await openTestService({ kind: 'sqlite', dataDir: target, databaseUrl: undefined });
    const original = await openTestService(source);
    try {
      assert.equal(restored.identity.did, did);
      assert.deepEqual(await restored.identity.document(), await original.identity.document());
    } finally {
      await restored.close();
      await original.close();
    }
  });

  it('refuses to restore over a database that holds data unless --force', async function () {
    this.timeout(120_000);
    const refused = await runCli(['restore', backupFile], env(source.dataDir));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /holds a database already/);
    const forced = await runCli(['restore', backupFile, '--force'], env(source.dataDir));
    assert.equal(forced.code, 0, forced.stderr);
  });

  it('refuses a target that is a dangling symbolic link (backup_target_exists) and creates nothing through it', async function () {
    this.timeout(60_000);
    const service: Service = await openTestService({ ...source, dataDir: join(dir, 'symlink-source') });
    try {
      const aimedAt = join(dir, 'aimed-at.sqlite');
      const link = join(dir, 'dangling.sqlite');
      symlinkSync(aimedAt, link);
      await assert.rejects(backupSqlite(service.dataSource, link), { code: 'backup_target_exists' });
      assert.equal(existsSync(aimedAt), false, 'the link target was not created');
      assert.equal(lstatSync(link).isSymbolicLink(), true);
    } finally {
      await service.close();
    }
  });

  it('creates the backup readable by its owner only (mode 0600)', async function () {
    this.timeout(60_000);
    const service: Service = await openTestService({ ...source, dataDir: join(dir, 'mode-source') });
    try {
      const file = join(dir, 'private.sqlite');
      const result = await backupSqlite(service.dataSource, file);
      assert.ok(result.migrations > 0);
      assert.equal((statSync(file).mode & 0o777).toString(8), '600');
    } finally {
      await service.close();
    }
  });

  it('with DATABASE_URL refuses and names pg_dump', async function () {
    this.timeout(60_000);
    const result = await runCli(['backup', join(dir, 'pg.dump')], {
      ...env(join(dir, 'pg')),
      DATABASE_URL: 'postgres://trust@127.0.0.1:1/trust',
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /pg_dump/);
  });
});
