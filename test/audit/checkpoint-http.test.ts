import { strict as assert } from 'node:assert';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import request from 'supertest';
import { AuditEntryEntity } from '../../src/audit/entities.js';
import { type AuditCheckpoint, CHECKPOINT_TYP, GENESIS_HASH } from '../../src/audit/index.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { dropAppendOnlyTriggers, rehash, T0, vote } from './support.js';

/** Verifies the checkpoint's JWS with the service DID's published key named by its `kid`. */
async function verifiedPayload(service: Service, checkpoint: AuditCheckpoint) {
  const { kid, typ, alg } = decodeProtectedHeader(checkpoint.signature);
  assert.equal(typ, CHECKPOINT_TYP);
  const key = (await service.identity.publishedKeys()).find((published) => published.id === kid);
  assert.ok(key, `kid ${kid} is a key of the service DID`);
  assert.ok(kid?.startsWith(`${service.identity.did}#`));
  const { payload } = await compactVerify(checkpoint.signature, await importJWK(key.publicJwk, alg));
  return JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
}

describeEachDatabase('audit checkpoints and the HTTP API', (fresh) => {
  let service: Service;

  beforeEach(async function () {
    this.timeout(20_000);
    service = await openTestService(await fresh(), {}, { now: () => new Date(T0) });
  });
  afterEach(() => service.close());

  describe('checkpoints', () => {
    it('are signed by the service DID, and their head is the chain’s', async () => {
      for (let i = 1; i <= 5; i++) await service.audit.append(vote(i));
      const checkpoint = await service.audit.checkpoint();
      const verification = await service.audit.verify();
      assert.ok(verification.valid);
      assert.equal(checkpoint.size, 6, 'the first adoption of the rulebook, then five votes');
      assert.equal(checkpoint.headHash, verification.headHash);
      assert.equal(checkpoint.at, new Date(T0).toISOString());
      assert.deepEqual(await verifiedPayload(service, checkpoint), {
        iss: service.identity.did,
        size: 6,
        head: verification.headHash,
        iat: T0 / 1000,
      });
    });

    it('of a log holding only the first rulebook adoption state size 1', async () => {
      const checkpoint = await service.audit.checkpoint();
      assert.equal(checkpoint.size, 1);
      assert.equal((await service.audit.entry(1))?.kind, 'rulebook.adopted');
      assert.notEqual(checkpoint.headHash, GENESIS_HASH);
    });

    it('are stored once per size and checked by verify', async () => {
      await service.audit.append(vote(1));
      await service.audit.checkpoint();
      await service.audit.checkpoint();
      await service.audit.append(vote(2));
      await service.audit.checkpoint();
      assert.deepEqual(
        (await service.audit.checkpoints()).map((checkpoint) => checkpoint.size),
        [2, 3],
      );
      const verification = await service.audit.verify();
      assert.ok(verification.valid);
      assert.equal(verification.checkpoints, 2);
    });

    it('show a rewrite that re-hashed the whole chain and the head: checkpoint_mismatch', async () => {
      for (let i = 1; i <= 4; i++) await service.audit.append(vote(i));
      await service.audit.checkpoint();
      await dropAppendOnlyTriggers(service.dataSource);
      // A forger who rewrites everything from entry 2 on, head included, consistently.
      const entries = (await service.audit.page()).items;
      const rewritten = rehash(
        entries.map((entry) => (entry.sequence === 2 ? { ...entry, data: { forged: true } } : entry)),
        1,
      );
      for (const entry of rewritten) {
        await service.dataSource
          .getRepository(AuditEntryEntity)
          .update(
            { sequence: entry.sequence },
            { data: JSON.stringify(entry.data), prevHash: entry.prevHash, hash: entry.hash },
          );
      }
      await service.dataSource.query(`UPDATE audit_head SET head_hash = '${rewritten.at(-1)?.hash}'`);
      const verification = await service.audit.verify();
      assert.deepEqual(
        verification.valid
          ? verification
          : { problem: verification.problem, firstBadSequence: verification.firstBadSequence },
        { problem: 'checkpoint_mismatch', firstBadSequence: 5 },
      );
    });
  });

  describe('GET /api/v1/audit', () => {
    beforeEach(async () => {
      for (let i = 1; i <= 7; i++) await service.audit.append(vote(i));
    });

    it('pages through the log with after and limit; next is null on the last page', async () => {
      const app = service.app.callback();
      const sequences: number[] = [];
      let after: number | null = 0;
      const nexts: (number | null)[] = [];
      while (after !== null) {
        const response = await request(app).get(`/api/v1/audit?after=${after}&limit=3`).expect(200);
        const page = response.body as { items: { sequence: number }[]; next: number | null };
        sequences.push(...page.items.map((item) => item.sequence));
        nexts.push(page.next);
        after = page.next;
      }
      assert.deepEqual(sequences, [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(nexts, [3, 6, null]);
    });

    it('answers the public fields of each entry', async () => {
      const response = await request(service.app.callback()).get('/api/v1/audit?after=1&limit=1').expect(200);
      assert.deepEqual(Object.keys(response.body.items[0]).sort(), [
        'actor',
        'at',
        'data',
        'hash',
        'kind',
        'prevHash',
        'sequence',
        'subject',
      ]);
      assert.deepEqual(response.body.items[0].data, vote(1).data);
    });

    it('defaults to the first 100 entries', async () => {
      const response = await request(service.app.callback()).get('/api/v1/audit').expect(200);
      assert.equal(response.body.items.length, 8);
      assert.equal(response.body.next, null);
    });

    for (const [query, code] of [
      ['limit=0', 'invalid_limit'],
      ['limit=501', 'invalid_limit'],
      ['limit=ten', 'invalid_limit'],
      ['after=-1', 'invalid_after'],
      ['after=1.5', 'invalid_after'],
      ['after=1&after=2', 'invalid_after'],
    ] as const) {
      it(`refuses ${query}: 400 ${code}`, async () => {
        const response = await request(service.app.callback()).get(`/api/v1/audit?${query}`).expect(400);
        assert.equal(response.body.code, code);
        assert.match(response.type, /problem\+json/);
      });
    }
  });

  describe('GET /api/v1/audit/checkpoint', () => {
    it('answers a fresh checkpoint that verifies with the service DID key', async () => {
      for (let i = 1; i <= 3; i++) await service.audit.append(vote(i));
      const response = await request(service.app.callback()).get('/api/v1/audit/checkpoint').expect(200);
      assert.equal(response.headers['cache-control'], 'no-store');
      const head = await service.audit.head();
      assert.equal(response.body.size, 4);
      assert.equal(response.body.headHash, head.headHash);
      const payload = await verifiedPayload(service, response.body as AuditCheckpoint);
      assert.equal(payload.head, head.headHash);
      assert.equal(payload.iss, service.identity.did);
    });
  });
});
