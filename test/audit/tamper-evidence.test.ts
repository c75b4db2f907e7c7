/**
 * Issue 8 item 6: what a database admin can do to the log, and how it shows. The admin may do
 * anything in the database (drop the append-only triggers, rewrite rows, re-hash, delete and
 * insert checkpoints, add key rows) but holds no private key of the service.
 */
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { AuditEntryEntity } from '../../src/audit/entities.js';
import {
  type AuditCheckpoint,
  type AuditVerification,
  CHECKPOINT_TYP,
  verifyRemoteLog,
} from '../../src/audit/index.js';
import { recordKeyRotation } from '../../src/cli/operator-actions.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { freePort } from '../support/process.js';
import { openTestService } from '../support/service.js';
import { dropAppendOnlyTriggers, rehash, vote } from './support.js';

function outcome(verification: AuditVerification) {
  return verification.valid
    ? { valid: true }
    : { problem: verification.problem, firstBadSequence: verification.firstBadSequence };
}

/** Every append-only trigger dropped, as a database owner can (the shared helper keeps checkpoint deletes refused on SQLite). */
async function dropTriggers(service: Service): Promise<void> {
  await dropAppendOnlyTriggers(service.dataSource);
  if (service.dataSource.options.type !== 'postgres') {
    await service.dataSource.query('DROP TRIGGER IF EXISTS audit_checkpoint_no_delete');
  }
}

/** Rewrites entries from `from` on (data changed, hashes and links recomputed) and moves the head. */
async function rewriteTail(service: Service, from: number): Promise<void> {
  await dropTriggers(service);
  const entries = (await service.audit.page({ limit: 500 })).items;
  const forged = rehash(
    entries.map((entry) => (entry.sequence >= from ? { ...entry, data: { forged: entry.sequence } } : entry)),
    from - 1,
  );
  for (const entry of forged.slice(from - 1)) {
    await service.dataSource
      .getRepository(AuditEntryEntity)
      .update(
        { sequence: entry.sequence },
        { data: JSON.stringify(entry.data), prevHash: entry.prevHash, hash: entry.hash },
      );
  }
  await service.dataSource.query(`UPDATE audit_head SET head_hash = '${forged.at(-1)?.hash}'`);
}

/** Deletes every entry after `size`, moves the head back to it and deletes the checkpoints above it. */
async function cutTail(service: Service, size: number): Promise<void> {
  await dropTriggers(service);
  const last = await service.audit.entry(size);
  await service.dataSource.query(`DELETE FROM audit_entry WHERE sequence > ${size}`);
  await service.dataSource.query(`DELETE FROM audit_checkpoint WHERE size > ${size}`);
  await service.dataSource.query(`UPDATE audit_head SET size = ${size}, head_hash = '${last?.hash}'`);
}

/** A checkpoint of the current head signed by a key the forger made, named as a key of the service DID. */
async function forgedCheckpoint(service: Service, fragment?: string) {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const publicJwk = await exportJWK(publicKey);
  const kid = `${service.identity.did}#${fragment ?? (await calculateJwkThumbprint(publicJwk))}`;
  const head = await service.audit.head();
  const signature = await new CompactSign(
    new TextEncoder().encode(
      JSON.stringify({ iss: service.identity.did, size: head.size, head: head.headHash, iat: 1_750_000_000 }),
    ),
  )
    .setProtectedHeader({ alg: 'EdDSA', typ: CHECKPOINT_TYP, kid })
    .sign(privateKey);
  return { checkpoint: { ...head, at: new Date().toISOString(), signature }, publicJwk, kid };
}

async function storeCheckpoint(service: Service, checkpoint: AuditCheckpoint): Promise<void> {
  await service.dataSource.query(`DELETE FROM audit_checkpoint WHERE size = ${checkpoint.size}`);
  await service.dataSource.query(
    `INSERT INTO audit_checkpoint (size, head_hash, at, signature) VALUES (${checkpoint.size}, '${checkpoint.headHash}', '${checkpoint.at}', '${checkpoint.signature}')`,
  );
}

describeEachDatabase('audit log: tampering by a database admin is detected (issue 8 item 6)', (fresh) => {
  let database: TestDatabase;
  let service: Service;

  beforeEach(async function () {
    this.timeout(20_000);
    database = await fresh();
    service = await openTestService(database);
    for (let i = 1; i <= 6; i++) await service.audit.append(vote(i));
  });
  afterEach(() => service.close());

  it('a tail rewritten with recomputed hashes and a checkpoint forged to match: checkpoint_signature_invalid', async () => {
    const genuine = await service.audit.checkpoint();
    await rewriteTail(service, 4);
    const { checkpoint } = await forgedCheckpoint(service);
    await storeCheckpoint(service, checkpoint);
    assert.equal(checkpoint.size, genuine.size);
    assert.deepEqual(outcome(await service.audit.verify()), {
      problem: 'checkpoint_signature_invalid',
      firstBadSequence: genuine.size,
    });
  });

  it('a forged checkpoint whose key the admin added to the key table as retired is still refused', async () => {
    await service.audit.checkpoint();
    await rewriteTail(service, 4);
    const { checkpoint, publicJwk, kid } = await forgedCheckpoint(service);
    const fragment = kid.split('#')[1];
    await service.dataSource.query(
      `INSERT INTO identity_key (kid, did, fragment, algorithm, public_jwk, status, created_at, retired_at) VALUES ('forged', '${service.identity.did}', '${fragment}', 'EdDSA', '${JSON.stringify(publicJwk)}', 'retired', '2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z')`,
    );
    await storeCheckpoint(service, checkpoint);
    assert.deepEqual(outcome(await service.audit.verify()), {
      problem: 'checkpoint_signature_invalid',
      firstBadSequence: checkpoint.size,
    });
  });

  it('a cut tail with the head fixed passes on its own, and is `removed` against a kept checkpoint', async () => {
    const kept = await service.audit.checkpoint();
    assert.equal(kept.size, 7);
    await cutTail(service, 5);
    assert.deepEqual(outcome(await service.audit.verify()), { valid: true });
    assert.deepEqual(outcome(await service.audit.verify({ kept: [kept] })), {
      problem: 'removed',
      firstBadSequence: 6,
    });
  });

  it('a rewrite below a kept checkpoint, stored checkpoints deleted: checkpoint_mismatch', async () => {
    const kept = await service.audit.checkpoint();
    await rewriteTail(service, 3);
    await service.dataSource.query('DELETE FROM audit_checkpoint');
    assert.deepEqual(outcome(await service.audit.verify()), { valid: true });
    assert.deepEqual(outcome(await service.audit.verify({ kept: [kept] })), {
      problem: 'checkpoint_mismatch',
      firstBadSequence: kept.size,
    });
  });

  it('a kept checkpoint with a forged signature: checkpoint_signature_invalid', async () => {
    const { checkpoint } = await forgedCheckpoint(service);
    assert.deepEqual(outcome(await service.audit.verify({ kept: [checkpoint] })), {
      problem: 'checkpoint_signature_invalid',
      firstBadSequence: checkpoint.size,
    });
    const genuine = await service.audit.checkpoint();
    const [header, payload] = genuine.signature.split('.');
    const altered = { ...genuine, signature: `${header}.${payload}.${'A'.repeat(86)}` };
    assert.deepEqual(outcome(await service.audit.verify({ kept: [altered] })), {
      problem: 'checkpoint_signature_invalid',
      firstBadSequence: genuine.size,
    });
  });

  it('checkpoints signed by a key retired since still verify, through the rotation’s key-history statement', async () => {
    const old = await service.audit.checkpoint();
    await recordKeyRotation(service, await service.identity.rotate());
    await service.identity.retire();
    await service.audit.append(vote(7));
    const recent = await service.audit.checkpoint();
    assert.notEqual(recent.signature.split('.')[0], old.signature.split('.')[0], 'signed by another key');
    const published = (await service.identity.document()).verificationMethod.map((method) => method.id);
    const oldKid = JSON.parse(Buffer.from(old.signature.split('.')[0] as string, 'base64url').toString()).kid;
    assert.ok(!published.includes(oldKid), 'the old key is retired: gone from the DID document');
    assert.deepEqual(await service.audit.verify({ kept: [old] }), {
      valid: true,
      size: 9,
      headHash: recent.headHash,
      checkpoints: 2,
      kept: 1,
    });
  });

  it('without the key-history statement, a checkpoint of a retired key is not trusted (fail closed)', async () => {
    const old = await service.audit.checkpoint();
    await service.identity.rotate();
    await service.identity.retire();
    assert.deepEqual(outcome(await service.audit.verify({ kept: [old] })), {
      problem: 'checkpoint_signature_invalid',
      firstBadSequence: old.size,
    });
  });

  describe('from the public API alone (no database)', () => {
    let server: Server;
    let remote: Service;
    let baseUrl: string;

    beforeEach(async function () {
      this.timeout(20_000);
      await service.close();
      const port = await freePort();
      baseUrl = `http://localhost:${port}`;
      // The same database, served under the PUBLIC_URL the verifier is given.
      remote = await openTestService(await fresh(), { PUBLIC_URL: baseUrl });
      for (let i = 1; i <= 6; i++) await remote.audit.append(vote(i));
      server = createServer(remote.app.callback()).listen(port, '127.0.0.1');
      await once(server, 'listening');
      service = remote;
    });
    afterEach(async () => {
      server.close();
      await once(server, 'close');
    });

    const target = () => ({
      baseUrl,
      did: remote.identity.did,
      documentUrl: `${baseUrl}/.well-known/did.json`,
    });

    it('an intact log verifies, every checkpoint signature checked against the DID document', async () => {
      await remote.audit.checkpoint();
      await recordKeyRotation(remote, await remote.identity.rotate());
      await remote.identity.retire();
      const result = await verifyRemoteLog(target());
      assert.equal(result.valid, true);
      assert.equal(result.valid && result.checkpoints, 2);
    });

    it('a cut tail with the head fixed is `removed` against a kept checkpoint', async () => {
      const kept = await remote.audit.checkpoint();
      await cutTail(remote, 4);
      assert.equal((await verifyRemoteLog(target())).valid, true, 'nothing shows without a kept checkpoint');
      assert.deepEqual(outcome(await verifyRemoteLog({ ...target(), kept: [kept] })), {
        problem: 'removed',
        firstBadSequence: 5,
      });
    });

    it('a rewritten tail with a forged stored checkpoint: checkpoint_signature_invalid', async () => {
      await remote.audit.checkpoint();
      await rewriteTail(remote, 5);
      await storeCheckpoint(remote, (await forgedCheckpoint(remote)).checkpoint);
      assert.equal(outcome(await verifyRemoteLog(target())).problem, 'checkpoint_signature_invalid');
    });
  });
});
