import { strict as assert } from 'node:assert';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import request from 'supertest';
import { serviceSigner } from '../../../src/credentials/sign.js';
import {
  type BitstringStatusListEntry,
  decodeList,
  StatusListPublisher,
  StatusService,
  statusRoutes,
} from '../../../src/credentials/status/index.js';
import { createApp } from '../../../src/http/index.js';
import type { Service } from '../../../src/service.js';
import { describeEachDatabase } from '../../support/databases.js';
import { openTestService, silentLogger } from '../../support/service.js';

const PUBLIC_URL = 'http://localhost:3000';

function pathOf(entry: BitstringStatusListEntry | undefined): string {
  assert.ok(entry, 'an entry');
  return new URL(entry.statusListCredential).pathname;
}

describeEachDatabase(
  'Bitstring Status List §3.1 Generate: the published BitstringStatusListCredential',
  (fresh) => {
    let service: Service;
    let status: StatusService;
    let clock: Date;
    let app: ReturnType<ReturnType<typeof createApp>['callback']>;

    function appWith(statusService: StatusService) {
      return createApp({
        logger: silentLogger,
        bodyLimitBytes: 1024,
        trustProxy: false,
        readiness: { accepting: () => true, database: async () => true },
        routers: [
          statusRoutes(
            new StatusListPublisher({
              service: statusService,
              signer: serviceSigner(service.identity),
              publicUrl: PUBLIC_URL,
              ttlSeconds: 60,
              now: () => clock,
            }),
          ),
        ],
      }).callback();
    }

    /** Verifies the JWS against the service DID's published key named by its kid; answers header and payload. */
    async function verified(jws: string) {
      const header = decodeProtectedHeader(jws);
      const key = (await service.identity.publishedKeys()).find((k) => k.id === header.kid);
      assert.ok(key, `kid ${header.kid} is a key of the service DID`);
      const { payload } = await compactVerify(jws, await importJWK(key.publicJwk, key.algorithm));
      return { header, credential: JSON.parse(new TextDecoder().decode(payload)) };
    }

    beforeEach(async () => {
      clock = new Date('2026-03-01T12:00:00.000Z');
      service = await openTestService(await fresh());
      status = new StatusService({ dataSource: service.dataSource, publicUrl: PUBLIC_URL, now: () => clock });
      app = appWith(status);
    });
    afterEach(async () => {
      await service.close();
    });

    it('is a vc+jwt signed by the service DID, whose list has the revoked index set and no other', async () => {
      const [revoked] = await status.allocateEntries({ credentialId: 'urn:uuid:revoked' });
      const others = await Promise.all(
        ['urn:uuid:a', 'urn:uuid:b', 'urn:uuid:c'].map((credentialId) =>
          status.allocate({ purpose: 'revocation', credentialId }),
        ),
      );
      await status.revoke('urn:uuid:revoked');
      const response = await request(app).get(pathOf(revoked)).expect(200);
      assert.match(response.headers['content-type'] ?? '', /^application\/vc\+jwt/);
      const { header, credential } = await verified(response.text);
      assert.equal(header.typ, 'vc+jwt');
      assert.equal(header.alg, 'EdDSA');
      assert.deepEqual(credential['@context'], ['https://www.w3.org/ns/credentials/v2']);
      assert.deepEqual(credential.type, ['VerifiableCredential', 'BitstringStatusListCredential']);
      assert.equal(credential.id, revoked?.statusListCredential);
      assert.equal(credential.issuer, service.identity.did);
      assert.equal(credential.iss, service.identity.did);
      assert.equal(credential.iat, Math.floor(clock.getTime() / 1000));
      assert.equal(credential.validFrom, '2026-03-01T12:00:00Z');
      assert.equal(credential.validUntil, '2026-03-01T12:03:00Z', 'three ttls later');
      assert.equal(credential.credentialSubject.type, 'BitstringStatusList');
      assert.equal(credential.credentialSubject.statusPurpose, 'revocation');
      assert.equal(credential.credentialSubject.id, `${revoked?.statusListCredential}#list`);
      assert.equal(credential.credentialSubject.ttl, 60_000);
      const bits = decodeList(credential.credentialSubject.encodedList);
      assert.equal(bits.length, 131_072);
      assert.equal(bits.get(Number(revoked?.statusListIndex)), true);
      for (const other of others) assert.equal(bits.get(other.index), false);
      let set = 0;
      for (let i = 0; i < bits.length; i++) if (bits.get(i)) set++;
      assert.equal(set, 1);
    });

    it('publishes the suspension list with statusPurpose suspension', async () => {
      const [, suspension] = await status.allocateEntries({ credentialId: 'urn:uuid:s' });
      await status.suspend('urn:uuid:s');
      const { credential } = await verified((await request(app).get(pathOf(suspension)).expect(200)).text);
      assert.equal(credential.credentialSubject.statusPurpose, 'suspension');
      assert.equal(
        decodeList(credential.credentialSubject.encodedList).get(Number(suspension?.statusListIndex)),
        true,
      );
    });

    it('pads a list opened smaller (tests only) to the 131,072-entry minimum', async () => {
      const small = new StatusService({
        dataSource: service.dataSource,
        publicUrl: PUBLIC_URL,
        listSize: 16,
      });
      const [entry] = await small.allocateEntries({ credentialId: 'urn:uuid:small' });
      await small.revoke('urn:uuid:small');
      const { credential } = await verified(
        (await request(appWith(small)).get(pathOf(entry)).expect(200)).text,
      );
      const bits = decodeList(credential.credentialSubject.encodedList);
      assert.equal(bits.length, 131_072);
      assert.equal(bits.get(Number(entry?.statusListIndex)), true);
    });

    it('is cacheable for the ttl, with an ETag, and answers 304 to a matching If-None-Match', async () => {
      const [entry] = await status.allocateEntries({ credentialId: 'urn:uuid:etag' });
      let builds = 0;
      const snapshot = status.listSnapshot.bind(status);
      status.listSnapshot = (listId) => {
        builds++;
        return snapshot(listId);
      };
      const first = await request(app).get(pathOf(entry)).expect(200);
      assert.equal(first.headers['cache-control'], 'public, max-age=60');
      const etag = first.headers.etag ?? '';
      assert.match(etag, /^"[A-Za-z0-9_-]{43}"$/);
      const again = await request(app).get(pathOf(entry)).expect(200);
      assert.equal(again.text, first.text, 'the same signed copy within the ttl');
      assert.equal(builds, 1, 'built and signed once');
      const notModified = await request(app).get(pathOf(entry)).set('If-None-Match', etag).expect(304);
      assert.equal(notModified.text, '');
      assert.equal(notModified.headers.etag, etag);
      await request(app).get(pathOf(entry)).set('If-None-Match', `"other", W/${etag}`).expect(304);
      await request(app).get(pathOf(entry)).set('If-None-Match', '"other"').expect(200);
    });

    it('signs anew once the ttl has passed, with a new ETag', async () => {
      const [entry] = await status.allocateEntries({ credentialId: 'urn:uuid:ttl' });
      const first = await request(app).get(pathOf(entry)).expect(200);
      clock = new Date(clock.getTime() + 61_000);
      const later = await request(app)
        .get(pathOf(entry))
        .set('If-None-Match', first.headers.etag ?? '')
        .expect(200);
      assert.notEqual(later.headers.etag, first.headers.etag);
      assert.equal((await verified(later.text)).credential.validFrom, '2026-03-01T12:01:01Z');
    });

    it('serves a change made by this process at once, within the ttl', async () => {
      const [entry] = await status.allocateEntries({ credentialId: 'urn:uuid:now' });
      const before = await request(app).get(pathOf(entry)).expect(200);
      await status.revoke('urn:uuid:now');
      const after = await request(app)
        .get(pathOf(entry))
        .set('If-None-Match', before.headers.etag ?? '')
        .expect(200);
      const { credential } = await verified(after.text);
      assert.equal(
        decodeList(credential.credentialSubject.encodedList).get(Number(entry?.statusListIndex)),
        true,
      );
    });

    it('serves a change made by another replica at once, within the ttl', async () => {
      const [entry] = await status.allocateEntries({ credentialId: 'urn:uuid:elsewhere' });
      await request(app).get(pathOf(entry)).expect(200);
      const otherReplica = new StatusService({ dataSource: service.dataSource, publicUrl: PUBLIC_URL });
      await otherReplica.revoke('urn:uuid:elsewhere');
      const { credential } = await verified((await request(app).get(pathOf(entry)).expect(200)).text);
      assert.equal(
        decodeList(credential.credentialSubject.encodedList).get(Number(entry?.statusListIndex)),
        true,
      );
    });

    it('answers an unknown list with a 404 problem, code not_found', async () => {
      for (const path of [
        '/status/AAAAAAAAAAAAAAAAAAAAAA',
        '/status/not..an..id',
        `/status/${'a'.repeat(65)}`,
      ]) {
        const response = await request(app).get(path).expect(404);
        assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
        assert.equal(response.body.code, 'not_found');
      }
    });

    it('is mounted in the service at /status/{listId}', async () => {
      const [entry] = await status.allocateEntries({ credentialId: 'urn:uuid:mounted' });
      await status.revoke('urn:uuid:mounted');
      const response = await request(service.app.callback()).get(pathOf(entry)).expect(200);
      assert.match(response.headers['content-type'] ?? '', /^application\/vc\+jwt/);
      const { credential } = await verified(response.text);
      assert.equal(
        decodeList(credential.credentialSubject.encodedList).get(Number(entry?.statusListIndex)),
        true,
      );
      const missing = await request(service.app.callback()).get('/status/AAAAAAAAAAAAAAAAAAAAAA').expect(404);
      assert.equal(missing.body.code, 'not_found');
    });
  },
);
