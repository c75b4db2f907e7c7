import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { ConfigError, describeConfig, loadConfig, renderConfigurationDocs } from '../../src/config/index.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the configuration to be refused');
}

describe('configuration from the environment', () => {
  describe('defaults', () => {
    it('starts on port 3000 with PUBLIC_URL http://localhost:3000 and ./data', () => {
      const config = loadConfig({}, '/srv/app');
      assert.equal(config.port, 3000);
      assert.equal(config.publicUrl, 'http://localhost:3000');
      assert.equal(config.dataDir, '/srv/app/data');
      assert.equal(config.databaseUrl, undefined);
      assert.equal(config.logLevel, 'info');
      assert.equal(config.developmentMode, true);
    });

    it('accepts ES256 signatures in both encodings unless ES256_LOW_S_ONLY is set', () => {
      assert.equal(loadConfig({}).es256LowSOnly, false);
      assert.equal(loadConfig({ ES256_LOW_S_ONLY: 'true' }).es256LowSOnly, true);
      assert.equal(loadConfig({ ES256_LOW_S_ONLY: '0' }).es256LowSOnly, false);
    });

    it('derives the default PUBLIC_URL from PORT', () => {
      assert.equal(loadConfig({ PORT: '8080' }).publicUrl, 'http://localhost:8080');
    });

    it('treats an empty value as unset', () => {
      assert.equal(loadConfig({ PORT: '', LOG_LEVEL: ' ' }).port, 3000);
    });

    it('resolves directories to absolute paths', () => {
      const config = loadConfig({ DATA_DIR: 'var/x', TRUST_ANCHORS_DIR: '/etc/anchors' }, '/srv');
      assert.equal(config.dataDir, '/srv/var/x');
      assert.equal(config.trustAnchorsDir, '/etc/anchors');
      assert.ok(isAbsolute(config.rulebookDir));
    });

    it('resolves unset directories in the installation directory, wherever the command runs from', () => {
      const config = loadConfig({ RULEBOOK_DIR: 'my-rulebook' }, '/home/operator', '/opt/dataspace-trust');
      assert.equal(config.dataDir, '/opt/dataspace-trust/data');
      assert.equal(config.trustAnchorsDir, '/opt/dataspace-trust/trust-anchors');
      assert.equal(config.credentialSchemasDir, '/opt/dataspace-trust/credential-schemas');
      assert.equal(
        config.rulebookDir,
        '/home/operator/my-rulebook',
        'a value given is relative to the working directory',
      );
    });

    it('freezes the result', () => {
      assert.ok(Object.isFrozen(loadConfig({})));
    });
  });

  describe('secrets from files (Docker secrets)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dst-config-'));
    const secretFile = join(dir, 'key-encryption-secret');
    writeFileSync(secretFile, `${'AB'.repeat(32)}\n`);
    const passwordFile = join(dir, 'postgres-password');
    writeFileSync(passwordFile, 's3cret/with@odd:chars\n');

    it('reads KEY_ENCRYPTION_SECRET_FILE', () => {
      const config = loadConfig({ KEY_ENCRYPTION_SECRET_FILE: secretFile });
      assert.equal(config.keyEncryptionSecret, 'ab'.repeat(32));
      assert.equal(describeConfig(config).keyEncryptionSecret, '[set]');
    });

    it('refuses KEY_ENCRYPTION_SECRET_FILE together with KEY_ENCRYPTION_SECRET', () => {
      assert.equal(
        configError({ KEY_ENCRYPTION_SECRET_FILE: secretFile, KEY_ENCRYPTION_SECRET: 'cd'.repeat(32) })
          .variable,
        'KEY_ENCRYPTION_SECRET_FILE',
      );
    });

    it('refuses a secret file that does not hold 64 hex characters, or cannot be read', () => {
      assert.equal(
        configError({ KEY_ENCRYPTION_SECRET_FILE: passwordFile }).variable,
        'KEY_ENCRYPTION_SECRET_FILE',
      );
      assert.equal(
        configError({ KEY_ENCRYPTION_SECRET_FILE: join(dir, 'none') }).variable,
        'KEY_ENCRYPTION_SECRET_FILE',
      );
    });

    it('puts DATABASE_PASSWORD_FILE into DATABASE_URL, and never logs it', () => {
      const config = loadConfig({
        DATABASE_URL: 'postgres://trust@db:5432/trust',
        DATABASE_PASSWORD_FILE: passwordFile,
      });
      const url = new URL(config.databaseUrl as string);
      assert.equal(decodeURIComponent(url.password), 's3cret/with@odd:chars');
      assert.doesNotMatch(JSON.stringify(describeConfig(config)), /s3cret/);
    });

    it('refuses DATABASE_PASSWORD_FILE with a DATABASE_URL that holds a password', () => {
      assert.equal(
        configError({ DATABASE_URL: 'postgres://trust:x@db/trust', DATABASE_PASSWORD_FILE: passwordFile })
          .variable,
        'DATABASE_PASSWORD_FILE',
      );
    });
  });

  describe('PUBLIC_URL', () => {
    it('drops a trailing slash so the DID is canonical', () => {
      assert.equal(
        loadConfig({ PUBLIC_URL: 'https://trust.city.example/' }).publicUrl,
        'https://trust.city.example',
      );
    });

    it('keeps a path (did:web path form)', () => {
      assert.equal(
        loadConfig({ PUBLIC_URL: 'https://city.example/dataspace/' }).publicUrl,
        'https://city.example/dataspace',
      );
    });

    it('is not development mode on a public host', () => {
      assert.equal(loadConfig({ PUBLIC_URL: 'https://trust.city.example' }).developmentMode, false);
    });

    it('listens on loopback only in development mode (it trusts the public development PID key), on every address otherwise, unless HOST says', () => {
      assert.equal(loadConfig({}).host, '127.0.0.1');
      assert.equal(loadConfig({ PUBLIC_URL: 'https://trust.city.example' }).host, '0.0.0.0');
      assert.equal(loadConfig({ HOST: '0.0.0.0' }).host, '0.0.0.0');
      assert.equal(
        loadConfig({ PUBLIC_URL: 'https://trust.city.example', HOST: '10.0.0.5' }).host,
        '10.0.0.5',
      );
    });
  });

  describe('bad values stop the start with one line naming the variable', () => {
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ PORT: 'abc' }, 'PORT', /^PORT must be a whole number, got "abc"$/],
      [{ PORT: '70000' }, 'PORT', /^PORT must be between 1 and 65535, got 70000$/],
      [{ PORT: '0' }, 'PORT', /^PORT must be between 1 and 65535/],
      [{ PUBLIC_URL: 'ftp://x.example' }, 'PUBLIC_URL', /^PUBLIC_URL must use http or https, got "ftp"$/],
      [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL', /^PUBLIC_URL must be an absolute http\(s\) URL/],
      [{ PUBLIC_URL: 'https://u:p@x.example' }, 'PUBLIC_URL', /^PUBLIC_URL must not contain a user name/],
      [{ PUBLIC_URL: 'https://x.example/?a=1' }, 'PUBLIC_URL', /^PUBLIC_URL must not contain a query/],
      [
        { DATABASE_URL: 'mysql://db/x' },
        'DATABASE_URL',
        /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL, got scheme "mysql"$/,
      ],
      [
        { DATABASE_URL: 'nonsense' },
        'DATABASE_URL',
        /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/,
      ],
      [
        { KEY_ENCRYPTION_SECRET: 'short' },
        'KEY_ENCRYPTION_SECRET',
        /^KEY_ENCRYPTION_SECRET must be 64 hexadecimal characters/,
      ],
      [
        { LOG_LEVEL: 'loud' },
        'LOG_LEVEL',
        /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"$/,
      ],
      [{ BODY_LIMIT_BYTES: '10' }, 'BODY_LIMIT_BYTES', /^BODY_LIMIT_BYTES must be between/],
      [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY', /^TRUST_PROXY must be true or false/],
      [{ ES256_LOW_S_ONLY: 'yes' }, 'ES256_LOW_S_ONLY', /^ES256_LOW_S_ONLY must be true or false/],
    ];
    for (const [env, variable, message] of cases) {
      it(`${variable}=${Object.values(env)[0]}`, () => {
        const error = configError(env);
        assert.equal(error.variable, variable);
        assert.equal(error.code, 'invalid_configuration');
        assert.match(error.message, message);
        assert.ok(!error.message.includes('\n'), 'one line');
      });
    }

    it('never echoes a secret value in the message', () => {
      const secret = 'zz'.repeat(32);
      assert.ok(!configError({ KEY_ENCRYPTION_SECRET: secret }).message.includes(secret));
      const url = 'mysql://admin:hunter2@db/x';
      assert.ok(!configError({ DATABASE_URL: url }).message.includes('hunter2'));
    });
  });

  describe('secrets', () => {
    it('are masked when the configuration is described for the log', () => {
      const config = loadConfig({
        KEY_ENCRYPTION_SECRET: 'ab'.repeat(32),
        DATABASE_URL: 'postgres://trust:s3cret@db.internal:5432/trust',
      });
      const described = JSON.stringify(describeConfig(config));
      assert.ok(!described.includes('ab'.repeat(32)));
      assert.ok(!described.includes('s3cret'));
      assert.match(described, /db\.internal/);
    });
  });

  describe('docs/configuration.md', () => {
    it('is generated from the key table and up to date (npm run docs:config)', () => {
      const committed = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
      assert.equal(committed, renderConfigurationDocs());
    });
  });
});
