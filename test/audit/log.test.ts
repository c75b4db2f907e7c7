import { strict as assert } from 'node:assert';
import type { DataSource } from 'typeorm';
import { AuditEntryEntity } from '../../src/audit/entities.js';
import {
  type AuditEntry,
  AuditError,
  type AuditErrorCode,
  type AuditLog,
  entryHash,
  GENESIS_HASH,
  isAppendOnlyViolation,
} from '../../src/audit/index.js';
import { inTransaction } from '../../src/credentials/status/transactions.js';
import { createDataSource, isUniqueViolation } from '../../src/db/index.js';
import { ENTITIES } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  appendVotes,
  dropAppendOnlyTriggers,
  logOn,
  migratedDataSource,
  rehash,
  swapSequences,
  vote,
} from './support.js';

async function refusal(promise: Promise<unknown>): Promise<AuditErrorCode> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuditError, `expected an AuditError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('expected an AuditError');
}

async function refusedByDatabase(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isAppendOnlyViolation(error), `expected the append-only refusal, got ${String(error)}`);
    return true;
  });
}

async function count(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query('SELECT COUNT(*) AS n FROM audit_entry');
  return Number(row.n);
}

describeEachDatabase('audit log: appending and verifying', (fresh, kind) => {
  let dataSource: DataSource;
  let log: AuditLog;

  beforeEach(async () => {
    dataSource = await migratedDataSource(await fresh());
    log = logOn(dataSource, 4); // small pages, so that verification reads several
  });
  afterEach(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
  });

  it('an empty log verifies, with size 0 and 64 zeros', async () => {
    assert.deepEqual(await log.verify(), {
      valid: true,
      size: 0,
      headHash: GENESIS_HASH,
      checkpoints: 0,
      kept: 0,
    });
  });

  it('appends entries 1..n, each linked to the one before, and verifies them', async () => {
    const written = await appendVotes(log, 10);
    assert.deepEqual(
      written.map((entry) => entry.sequence),
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    assert.equal(written[0]?.prevHash, GENESIS_HASH);
    for (let i = 1; i < written.length; i++) assert.equal(written[i]?.prevHash, written[i - 1]?.hash);
    const stored = (await log.page({ limit: 500 })).items;
    assert.deepEqual(stored, written, 'what was read back is what was written');
    for (const entry of stored) assert.equal(entryHash(entry), entry.hash);
    assert.deepEqual(await log.verify(), {
      valid: true,
      size: 10,
      headHash: written[9]?.hash,
      checkpoints: 0,
      kept: 0,
    });
  });

  it('stores data as canonical JSON (sorted keys, no whitespace)', async () => {
    await log.append({
      kind: 'rulebook.adopted',
      actor: 'operator',
      data: { version: '1.1', b: [2, 1], a: { z: 1, y: null } },
    });
    const [row] = await dataSource.query('SELECT data, subject FROM audit_entry');
    assert.equal(row.data, '{"a":{"y":null,"z":1},"b":[2,1],"version":"1.1"}');
    assert.equal(row.subject, null);
  });

  describe('invalid events are refused and write nothing', () => {
    const cases: [string, Parameters<AuditLog['append']>[0], AuditErrorCode][] = [
      ['a kind that is not dotted words', { kind: 'Vote Cast', actor: 'operator' }, 'invalid_kind'],
      [
        'an actor that is neither a DID nor operator/service',
        { kind: 'member.suspended', actor: 'alice' },
        'invalid_actor',
      ],
      [
        'a subject with a control character',
        { kind: 'member.suspended', actor: 'operator', subject: 'a\nb' },
        'invalid_subject',
      ],
      [
        'data that is not an object',
        { kind: 'member.suspended', actor: 'operator', data: [] as never },
        'invalid_data',
      ],
      [
        'data with a non-JSON value',
        { kind: 'member.suspended', actor: 'operator', data: { when: new Date(0) } },
        'invalid_data',
      ],
      [
        'data with an undefined member',
        { kind: 'member.suspended', actor: 'operator', data: { reason: undefined } },
        'invalid_data',
      ],
      [
        'data that names a secret',
        { kind: 'credential.issued', actor: 'service', data: { clientSecret: 'x' } },
        'forbidden_field',
      ],
      [
        'data over 16 KiB',
        { kind: 'member.suspended', actor: 'operator', data: { text: 'x'.repeat(17_000) } },
        'data_too_large',
      ],
    ];
    for (const [name, event, code] of cases) {
      it(`${name}: ${code}`, async () => {
        assert.equal(await refusal(log.append(event)), code);
        assert.equal(await count(dataSource), 0);
      });
    }
  });

  describe('append-only at the database level', () => {
    beforeEach(() => appendVotes(log, 3));

    it('UPDATE of an entry is refused by the database', async () => {
      await refusedByDatabase(dataSource.query(`UPDATE audit_entry SET data = '{}' WHERE sequence = 2`));
      assert.equal((await log.verify()).valid, true);
    });

    it('DELETE of an entry is refused by the database', async () => {
      await refusedByDatabase(dataSource.query('DELETE FROM audit_entry WHERE sequence = 3'));
      await refusedByDatabase(dataSource.query('DELETE FROM audit_entry'));
      assert.equal(await count(dataSource), 3);
    });

    if (kind === 'postgres') {
      it('TRUNCATE of the entries is refused by the database', async () => {
        await refusedByDatabase(dataSource.query('TRUNCATE audit_entry'));
        assert.equal(await count(dataSource), 3);
      });
    }

    it('a second entry claiming the same predecessor is refused by the unique prev_hash', async () => {
      const [, second] = (await log.page()).items;
      const copy = { ...(second as AuditEntry), sequence: 4, data: JSON.stringify(second?.data) };
      await assert.rejects(dataSource.getRepository(AuditEntryEntity).insert(copy), (error: unknown) =>
        isUniqueViolation(error),
      );
    });

    it('the head cannot be moved back or deleted', async () => {
      await refusedByDatabase(dataSource.query('UPDATE audit_head SET size = 1'));
      await refusedByDatabase(dataSource.query(`UPDATE audit_head SET head_hash = '${'0'.repeat(64)}'`));
      await refusedByDatabase(dataSource.query('DELETE FROM audit_head'));
      assert.deepEqual((await log.head()).size, 3);
    });
  });

  describe('tampering (triggers dropped first, rows changed with raw SQL)', () => {
    beforeEach(async () => {
      await appendVotes(log, 9);
      await dropAppendOnlyTriggers(dataSource);
    });

    it('an edited entry: altered at its sequence', async () => {
      await dataSource.query(`UPDATE audit_entry SET data = '{"decision":"approve"}' WHERE sequence = 5`);
      assert.deepEqual(pick(await log.verify()), { problem: 'altered', firstBadSequence: 5 });
    });

    it('an entry whose actor was changed: altered', async () => {
      await dataSource.query(`UPDATE audit_entry SET actor = 'did:key:z6MkImpostor' WHERE sequence = 2`);
      assert.deepEqual(pick(await log.verify()), { problem: 'altered', firstBadSequence: 2 });
    });

    it('data that is no longer JSON: altered', async () => {
      await dataSource.query(`UPDATE audit_entry SET data = 'not json' WHERE sequence = 7`);
      assert.deepEqual(pick(await log.verify()), { problem: 'altered', firstBadSequence: 7 });
    });

    it('a deleted entry: removed at its sequence', async () => {
      await dataSource.query('DELETE FROM audit_entry WHERE sequence = 4');
      assert.deepEqual(pick(await log.verify()), { problem: 'removed', firstBadSequence: 4 });
    });

    it('the last entries deleted: removed, because the head still counts them', async () => {
      await dataSource.query('DELETE FROM audit_entry WHERE sequence >= 8');
      assert.deepEqual(pick(await log.verify()), { problem: 'removed', firstBadSequence: 8 });
    });

    it('two entries with their sequence numbers swapped: reordered', async () => {
      await swapSequences(dataSource, 3, 4);
      assert.deepEqual(pick(await log.verify()), { problem: 'reordered', firstBadSequence: 3 });
    });

    it('an entry rewritten and every later one re-hashed: the head no longer matches', async () => {
      const entries = (await log.page({ limit: 500 })).items;
      entries[5] = {
        ...(entries[5] as (typeof entries)[number]),
        data: { decision: 'approve', rewritten: true },
      };
      const repository = dataSource.getRepository(AuditEntryEntity);
      for (const entry of rehash(entries, 5)) {
        await repository.update(
          { sequence: entry.sequence },
          { data: JSON.stringify(entry.data), prevHash: entry.prevHash, hash: entry.hash },
        );
      }
      assert.deepEqual(pick(await log.verify()), { problem: 'head_mismatch', firstBadSequence: 9 });
    });
  });

  describe('transactions', () => {
    it('an append inside a transaction that rolls back leaves no entry, and the next append is sequence 1', async () => {
      await assert.rejects(
        inTransaction(dataSource, undefined, async (manager) => {
          await log.append(vote(1), manager);
          throw new Error('the decision failed');
        }),
        /the decision failed/,
      );
      assert.equal(await count(dataSource), 0);
      assert.deepEqual(await log.head(), { size: 0, headHash: GENESIS_HASH });
      const next = await log.append(vote(2));
      assert.equal(next.sequence, 1);
      assert.equal(next.prevHash, GENESIS_HASH);
    });

    it('an append inside a transaction that commits is there, with the rest of its work', async () => {
      await inTransaction(dataSource, undefined, async (manager) => {
        await log.append(vote(1), manager);
        await log.append(vote(2), manager);
      });
      assert.deepEqual(pick2(await log.verify()), { valid: true, size: 2 });
    });
  });

  describe('concurrency', () => {
    it('50 appends at once get sequences 1..50 with no gap and a valid chain', async function () {
      this.timeout(60_000);
      const written = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(vote(i + 1))));
      assert.deepEqual(
        written.map((entry) => entry.sequence).sort((a, b) => a - b),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      assert.deepEqual(pick2(await log.verify()), { valid: true, size: 50 });
    });

    if (kind === 'postgres') {
      it('two data sources (two replicas) appending at once make one valid chain', async function () {
        this.timeout(60_000);
        const second = createDataSource({
          databaseUrl:
            dataSource.options.type === 'postgres' ? (dataSource.options.url as string) : undefined,
          dataDir: '',
          entities: ENTITIES,
        });
        await second.initialize();
        try {
          const logs = [log, logOn(second)];
          const written = await Promise.all(
            logs.flatMap((replica, r) =>
              Array.from({ length: 40 }, (_, i) => replica.append(vote(r * 40 + i + 1))),
            ),
          );
          assert.equal(new Set(written.map((entry) => entry.sequence)).size, 80);
          assert.equal(new Set(written.map((entry) => entry.prevHash)).size, 80);
          assert.deepEqual(pick2(await log.verify()), { valid: true, size: 80 });
        } finally {
          await second.destroy();
        }
      });
    }
  });
});

function pick(result: Awaited<ReturnType<AuditLog['verify']>>) {
  assert.equal(result.valid, false, `expected an invalid log, got ${JSON.stringify(result)}`);
  return result.valid ? {} : { problem: result.problem, firstBadSequence: result.firstBadSequence };
}

function pick2(result: Awaited<ReturnType<AuditLog['verify']>>) {
  return { valid: result.valid, size: result.valid ? result.size : -1 };
}
