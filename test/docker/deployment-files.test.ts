import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_KEY_NAMES, loadConfig } from '../../src/config/index.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('docker/ deployment files', () => {
  const compose = parse(read('docker/compose.yaml')) as {
    services: Record<
      string,
      {
        environment?: Record<string, string>;
        image?: string;
        healthcheck?: unknown;
        secrets?: string[];
        stop_grace_period?: string;
      }
    >;
    volumes?: Record<string, unknown>;
    secrets?: Record<string, { file?: string; environment?: string }>;
  };

  it('compose sets only real configuration keys on the service', () => {
    const environment = compose.services.trust?.environment ?? {};
    assert.ok(Object.keys(environment).length > 0);
    for (const name of Object.keys(environment)) {
      assert.ok(CONFIG_KEY_NAMES.includes(name), `${name} is not a configuration key`);
    }
  });

  it('compose values are valid configuration (required values given, secrets as files)', () => {
    const environment = compose.services.trust?.environment ?? {};
    // The secrets as the container sees them under /run/secrets, here in a temporary directory.
    const secrets = mkdtempSync(join(tmpdir(), 'dst-docker-'));
    writeFileSync(join(secrets, 'key-encryption-secret'), `${'ab'.repeat(32)}\n`);
    writeFileSync(join(secrets, 'postgres-password'), 'generated-password\n');
    const resolved = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [
        name,
        String(value)
          .replace(/\$\{[A-Z_]+:\?[^}]*\}/g, 'https://trust.example.org')
          .replace(/^\/run\/secrets\//, `${secrets}/`),
      ]),
    );
    const config = loadConfig(resolved);
    assert.equal(config.databaseUrl, 'postgres://trust:generated-password@postgres:5432/trust');
    assert.equal(config.keyEncryptionSecret, 'ab'.repeat(32));
    assert.equal(config.developmentMode, false);
  });

  it('compose keeps one key-encryption secret across starts: from a secret file, never generated per start', () => {
    const environment = compose.services.trust?.environment ?? {};
    assert.equal(
      environment.KEY_ENCRYPTION_SECRET,
      undefined,
      'no secret in the environment (or made by the shell)',
    );
    assert.equal(environment.KEY_ENCRYPTION_SECRET_FILE, '/run/secrets/key-encryption-secret');
    assert.ok(compose.services.trust?.secrets?.includes('key-encryption-secret'));
    assert.match(compose.secrets?.['key-encryption-secret']?.file ?? '', /^\.\/secrets\//);
  });

  it('compose holds no database password and no development mode', () => {
    const text = read('docker/compose.yaml');
    const environment = compose.services.trust?.environment ?? {};
    assert.equal(new URL(environment.DATABASE_URL ?? '').password, '', 'no password in DATABASE_URL');
    assert.equal(compose.services.postgres?.environment?.POSTGRES_PASSWORD, undefined);
    assert.equal(
      compose.services.postgres?.environment?.POSTGRES_PASSWORD_FILE,
      '/run/secrets/postgres-password',
    );
    assert.doesNotMatch(
      environment.PUBLIC_URL ?? '',
      /localhost|127\.0\.0\.1/,
      'PUBLIC_URL is required, no loopback default',
    );
    assert.doesNotMatch(text, /NODE_ENV:\s*development/);
  });

  it('a .dockerignore keeps data, secrets, local installs and the git history out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const entry of ['.git', 'node_modules', 'data', 'docker/secrets', '.env']) {
      assert.ok(ignored.includes(entry), `.dockerignore lists ${entry}`);
    }
    assert.match(read('.gitignore'), /^docker\/secrets\/?$/m, 'the secrets are never committed');
  });

  it('runs PostgreSQL 16 with a volume and a health check', () => {
    const postgres = compose.services.postgres;
    assert.match(postgres?.image ?? '', /^postgres:16/);
    assert.ok(postgres?.healthcheck);
    assert.ok(compose.volumes && 'postgres-data' in compose.volumes);
  });

  it('compose gives the service time to drain and finish its requests before docker kills it', () => {
    const grace = compose.services.trust?.stop_grace_period ?? '';
    const seconds = Number(grace.match(/^(\d+)s$/)?.[1]);
    const defaults = loadConfig({ PUBLIC_URL: 'https://trust.example.org' });
    // Drain, then requests in flight, then at least one second to close the database.
    const needed = (defaults.shutdownDrainMs + defaults.shutdownTimeoutMs) / 1000 + 1;
    assert.ok(seconds >= needed + 5, `stop_grace_period ${grace} must be at least ${needed + 5}s`);
  });

  it('the Dockerfile is multi-stage on Node 22, runs as a non-root user and sets only real keys', () => {
    const dockerfile = read('docker/Dockerfile');
    assert.equal(dockerfile.match(/^FROM node:22/gm)?.length, 2);
    assert.match(dockerfile, /^USER node$/m);
    const envBlock = dockerfile.match(/^ENV DATA_DIR=[\s\S]*?PORT=\d+$/m)?.[0] ?? '';
    const names = [...envBlock.matchAll(/([A-Z_]+)=/g)].map((match) => match[1] as string);
    assert.deepEqual(names, ['DATA_DIR', 'HOST', 'PORT']);
    for (const name of names)
      assert.ok(CONFIG_KEY_NAMES.includes(name), `${name} is not a configuration key`);
  });
});
