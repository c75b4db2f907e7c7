import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CONFIG_KEY_NAMES, loadConfig } from '../../src/config/index.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('docker/ deployment files', () => {
  const compose = parse(read('docker/compose.yaml')) as {
    services: Record<string, { environment?: Record<string, string>; image?: string; healthcheck?: unknown }>;
    volumes?: Record<string, unknown>;
  };

  it('compose sets only real configuration keys on the service', () => {
    const environment = compose.services.trust?.environment ?? {};
    assert.ok(Object.keys(environment).length > 0);
    for (const name of Object.keys(environment)) {
      assert.ok(CONFIG_KEY_NAMES.includes(name), `${name} is not a configuration key`);
    }
  });

  it('compose values are valid configuration (with the interpolated defaults)', () => {
    const environment = compose.services.trust?.environment ?? {};
    const resolved = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [
        name,
        String(value)
          .replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')
          .replace(/\$\{[A-Z_]+:\?[^}]*\}/g, 'ab'.repeat(32)),
      ]),
    );
    const config = loadConfig(resolved);
    assert.equal(config.databaseUrl, 'postgres://trust:trust@postgres:5432/trust');
  });

  it('runs PostgreSQL 16 with a volume and a health check', () => {
    const postgres = compose.services.postgres;
    assert.match(postgres?.image ?? '', /^postgres:16/);
    assert.ok(postgres?.healthcheck);
    assert.ok(compose.volumes && 'postgres-data' in compose.volumes);
  });

  it('the Dockerfile is multi-stage on Node 22, runs as a non-root user and sets only real keys', () => {
    const dockerfile = read('docker/Dockerfile');
    assert.equal(dockerfile.match(/^FROM node:22/gm)?.length, 2);
    assert.match(dockerfile, /^USER node$/m);
    const envBlock = dockerfile.match(/^ENV DATA_DIR=[\s\S]*?PORT=\d+$/m)?.[0] ?? '';
    const names = [...envBlock.matchAll(/([A-Z_]+)=/g)].map((match) => match[1] as string);
    assert.deepEqual(names, ['DATA_DIR', 'PORT']);
    for (const name of names)
      assert.ok(CONFIG_KEY_NAMES.includes(name), `${name} is not a configuration key`);
  });
});
