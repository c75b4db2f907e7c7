import { strict as assert } from 'node:assert';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { compactVerify, importJWK } from 'jose';
import request from 'supertest';
import { serviceSigner } from '../../src/credentials/sign.js';
import { GENERATED_SECRET_FILE, IdentityError } from '../../src/identity/index.js';
import { createLogger } from '../../src/log/logger.js';
import { openService, type Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService, testConfig } from '../support/service.js';

async function identityError(promise: Promise<unknown>): Promise<IdentityError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof IdentityError, `expected IdentityError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an IdentityError');
}

describeEachDatabase('the service identity', (fresh) => {
  let service: Service | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  describe('DID Core §5 document at /.well-known/did.json', () => {
    it('names the did:web of PUBLIC_URL with an Ed25519 and a P-256 key for assertion and authentication', async () => {
      service = await openTestService(await fresh());
      const response = await request(service.app.callback()).get('/.well-known/did.json').expect(200);
      assert.match(response.headers['content-type'] ?? '', /^application\/did\+ld\+json/);
      const document = JSON.parse(response.text);
      assert.equal(document.id, 'did:web:localhost%3A3000');
      assert.deepEqual(document['@context'], [
        'https://www.w3.org/ns/did/v1',
        'https://w3id.org/security/suites/jws-2020/v1',
      ]);
      assert.equal(document.verificationMethod.length, 2);
      const curves = document.verificationMethod.map(
        (m: { publicKeyJwk: { crv: string } }) => m.publicKeyJwk.crv,
      );
      assert.deepEqual(curves.sort(), ['Ed25519', 'P-256']);
      for (const method of document.verificationMethod) {
        assert.equal(method.type, 'JsonWebKey2020');
        assert.equal(method.controller, document.id);
        assert.ok(method.id.startsWith(`${document.id}#`));
        assert.equal(method.publicKeyJwk.d, undefined, 'no private member');
        assert.ok(document.assertionMethod.includes(method.id));
        assert.ok(document.authentication.includes(method.id));
      }
    });

    it('is identical after a restart (the keys survive)', async () => {
      const database = await fresh();
      service = await openTestService(database);
      const first = (await request(service.app.callback()).get('/.well-known/did.json')).text;
      await service.close();
      service = await openTestService(database);
      const second = (await request(service.app.callback()).get('/.well-known/did.json')).text;
      assert.equal(second, first);
    });

    it('ignores a spoofed Host or X-Forwarded-Host header', async () => {
      service = await openTestService(await fresh(), { TRUST_PROXY: 'true' });
      const honest = (await request(service.app.callback()).get('/.well-known/did.json')).text;
      const spoofed = await request(service.app.callback())
        .get('/.well-known/did.json')
        .set('Host', 'evil.example')
        .set('X-Forwarded-Host', 'evil.example')
        .set('X-Forwarded-Proto', 'https')
        .expect(200);
      assert.equal(spoofed.text, honest);
      assert.ok(!spoofed.text.includes('evil'));
    });

    it('uses the path form when PUBLIC_URL has a path', async () => {
      service = await openTestService(await fresh(), { PUBLIC_URL: 'http://localhost:3000/city/trust' });
      const response = await request(service.app.callback()).get('/city/trust/did.json').expect(200);
      assert.equal(JSON.parse(response.text).id, 'did:web:localhost%3A3000:city:trust');
      const wellKnown = await request(service.app.callback()).get('/.well-known/did.json').expect(404);
      assert.equal(wellKnown.body.code, 'not_found');
    });

    it('serves every route under the path of PUBLIC_URL, and health probes also at the root', async () => {
      service = await openTestService(await fresh(), { PUBLIC_URL: 'http://localhost:3000/city/trust' });
      const app = service.app.callback();
      await request(app).get('/city/trust/api/v1/schemas').expect(200);
      await request(app).get('/city/trust/health/ready').expect(200);
      await request(app).get('/health/live').expect(200);
      const outside = await request(app).get('/api/v1/schemas').expect(404);
      assert.equal(outside.body.code, 'not_found');
    });
  });

  describe('keys at rest', () => {
    it('stores private keys encrypted, never as plain hex', async () => {
      service = await openTestService(await fresh());
      const rows: Array<{ privateKeyHex: string }> = await service.dataSource.query(
        'SELECT "privateKeyHex" FROM "private-key"',
      );
      // Ed25519, P-256 and the RSA token key (src/identity/token-keys.ts).
      assert.equal(rows.length, 3);
      const signing = await service.identity.signingKey('ES256');
      const plainD = Buffer.from(
        signing.privateKey.export({ format: 'jwk' }).d as string,
        'base64url',
      ).toString('hex');
      for (const row of rows) assert.ok(!row.privateKeyHex.includes(plainD));
    });

    it('generates the secret into DATA_DIR with mode 0600 when none is configured', async () => {
      const database = await fresh();
      const config = { ...testConfig(database), keyEncryptionSecret: undefined };
      service = await openService(config, createLogger('silent'));
      const mode = statSync(join(database.dataDir, GENERATED_SECRET_FILE)).mode & 0o777;
      assert.equal(mode, 0o600);
      const did = service.identity.did;
      await service.close();
      service = await openService(config, createLogger('silent'));
      assert.equal(service.identity.did, did, 'the generated secret opens the keys again');
    });

    it('refuses to start with a different secret instead of making new keys', async () => {
      const database = await fresh();
      service = await openTestService(database);
      await service.close();
      service = undefined;
      const error = await identityError(
        openTestService(database, { KEY_ENCRYPTION_SECRET: 'ab'.repeat(32) }),
      );
      assert.equal(error.code, 'key_secret_mismatch');
      assert.match(error.message, /KEY_ENCRYPTION_SECRET does not decrypt/);
      service = await openTestService(database);
      assert.equal(
        (await service.identity.publishedKeys()).length,
        2,
        'no keys were added by the failed start',
      );
    });

    it('refuses a database that belongs to another PUBLIC_URL', async () => {
      const database = await fresh();
      service = await openTestService(database);
      await service.close();
      service = undefined;
      const error = await identityError(openTestService(database, { PUBLIC_URL: 'http://localhost:4000' }));
      assert.equal(error.code, 'did_mismatch');
    });
  });

  describe('signing', () => {
    for (const algorithm of ['EdDSA', 'ES256'] as const) {
      it(`signs ${algorithm} JWTs whose kid is a method of the published document`, async () => {
        service = await openTestService(await fresh());
        const jwt = await serviceSigner(service.identity).sign({ hello: 'world' }, { typ: 'JWT', algorithm });
        const document = await service.identity.document();
        const [header] = jwt.split('.');
        const { kid, alg } = JSON.parse(Buffer.from(header as string, 'base64url').toString());
        assert.equal(alg, algorithm);
        const method = document.verificationMethod.find((m) => m.id === kid);
        assert.ok(method, 'kid names a published verification method');
        await compactVerify(jwt, await importJWK(method.publicKeyJwk, algorithm));
      });
    }
  });

  describe('key rotation', () => {
    it('publishes old and new keys until the old ones are retired', async () => {
      service = await openTestService(await fresh());
      const before = (await service.identity.document()).verificationMethod.map((m) => m.id);
      const rotation = await service.identity.rotate();
      assert.deepEqual(rotation.previous.map((k) => k.id).sort(), [...before].sort());

      const during = await service.identity.document();
      assert.equal(during.verificationMethod.length, 4);
      for (const id of before) assert.ok(during.assertionMethod.includes(id), 'old key still verifies');
      const signing = await service.identity.signingKey('EdDSA');
      assert.ok(!before.includes(signing.kid), 'new signatures use the new key');

      const retired = await service.identity.retire();
      assert.deepEqual(retired.map((k) => k.id).sort(), [...before].sort());
      const after = await service.identity.document();
      assert.deepEqual(
        after.verificationMethod.map((m) => m.id).sort(),
        rotation.added.map((k) => k.id).sort(),
      );
    });

    it('has nothing to retire before a rotation', async () => {
      service = await openTestService(await fresh());
      const error = await identityError(service.identity.retire());
      assert.equal(error.code, 'no_keys_to_retire');
    });
  });
});
