import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/process.js';
import { TEST_SECRET } from '../support/service.js';

describe('the dataspace-trust command', () => {
  const env = () => ({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'dst-cli-')),
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
  });

  it('--help lists the commands', async () => {
    const result = await runCli(['--help'], {});
    assert.equal(result.code, 0);
    for (const command of ['start', 'migrate', 'did', 'keys'])
      assert.match(result.stdout, new RegExp(`\\b${command}\\b`));
  });

  it('stops with one line naming the variable and exit code 78 on a bad value', async () => {
    const result = await runCli(['migrate'], { PORT: 'abc' });
    assert.equal(result.code, 78);
    assert.equal(
      result.stderr,
      'dataspace-trust: configuration error: PORT must be a whole number, got "abc"\n',
    );
  });

  it('migrate brings the database up to date, says how many migrations it applied, and none the second time', async function () {
    this.timeout(90_000);
    const database = { ...env(), LOG_LEVEL: 'info' };
    const result = await runCli(['migrate'], database);
    assert.equal(result.code, 0, result.stderr);
    const logged = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; migrations?: string[] })
      .find((line) => line.msg === 'database migrated');
    const count = logged?.migrations?.length ?? 0;
    assert.ok(count > 0);
    assert.match(
      result.stdout,
      new RegExp(`^applied ${count} migrations: the database schema is up to date$`, 'm'),
    );
    const again = await runCli(['migrate'], database);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^database schema was already up to date: no migration to apply$/m);
    assert.doesNotMatch(again.stdout, /applied/);
  });

  it('did show prints the DID and its document', async function () {
    this.timeout(30_000);
    const result = await runCli(['did', 'show'], { ...env(), PUBLIC_URL: 'https://trust.city.example' });
    assert.equal(result.code, 0, result.stderr);
    const shown = JSON.parse(result.stdout);
    assert.equal(shown.did, 'did:web:trust.city.example');
    assert.equal(shown.documentUrl, 'https://trust.city.example/.well-known/did.json');
    assert.equal(shown.document.verificationMethod.length, 2);
  });

  it('keys rotate keeps the old keys published until keys retire removes them', async function () {
    // Six commands, each opening the service (and rotate/retire writing their audit entries).
    this.timeout(180_000);
    const shared = env();
    const before = JSON.parse((await runCli(['did', 'show'], shared)).stdout).document;
    const rotated = await runCli(['keys', 'rotate'], shared);
    assert.equal(rotated.code, 0, rotated.stderr);
    const { added, previous } = JSON.parse(rotated.stdout);
    assert.deepEqual([...previous].sort(), before.verificationMethod.map((m: { id: string }) => m.id).sort());

    const during = JSON.parse((await runCli(['did', 'show'], shared)).stdout).document;
    assert.equal(during.verificationMethod.length, 4);

    const retired = await runCli(['keys', 'retire'], shared);
    assert.equal(retired.code, 0, retired.stderr);
    const after = JSON.parse((await runCli(['did', 'show'], shared)).stdout).document;
    assert.deepEqual(after.verificationMethod.map((m: { id: string }) => m.id).sort(), [...added].sort());

    const again = await runCli(['keys', 'retire'], shared);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no previous key to retire/);
  });
});
