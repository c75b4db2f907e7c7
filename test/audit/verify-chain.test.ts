import { strict as assert } from 'node:assert';
import { type AuditEntry, entryHash, GENESIS_HASH, verifyChain } from '../../src/audit/index.js';
import { chainOf, rehash } from './support.js';

function at<T>(list: readonly T[], index: number): T {
  return list[index] as T;
}

describe('audit chain verification (pure)', () => {
  it('accepts an intact chain and answers its size and head hash', () => {
    const chain = chainOf(12);
    assert.deepEqual(verifyChain(chain), { valid: true, size: 12, headHash: at(chain, 11).hash });
  });

  it('accepts the empty chain, whose head is 64 zeros', () => {
    assert.deepEqual(verifyChain([]), { valid: true, size: 0, headHash: GENESIS_HASH });
  });

  describe('an altered entry', () => {
    it('edited data: altered at that entry', () => {
      const chain = chainOf(8);
      chain[4] = { ...at(chain, 4), data: { decision: 'approve', motion: 'motion-2', round: 99 } };
      assert.deepEqual(pick(verifyChain(chain)), { problem: 'altered', firstBadSequence: 5 });
    });

    it('edited actor, subject or time: altered at that entry', () => {
      for (const change of [
        { actor: 'did:key:z6MkSomeoneElse' },
        { subject: 'motion-9' },
        { at: '2030-01-01T00:00:00.000Z' },
      ]) {
        const chain = chainOf(5);
        chain[2] = { ...at(chain, 2), ...change };
        assert.deepEqual(pick(verifyChain(chain)), { problem: 'altered', firstBadSequence: 3 });
      }
    });

    it('edited and re-hashed, the rest left alone: altered where the link breaks', () => {
      const chain = chainOf(6);
      const edited = { ...at(chain, 2), kind: 'member.suspended' };
      chain[2] = { ...edited, hash: entryHash(edited) };
      assert.deepEqual(pick(verifyChain(chain)), { problem: 'altered', firstBadSequence: 4 });
    });

    it('a first entry that does not start from 64 zeros: altered at 1', () => {
      const forged = { ...at(chainOf(1), 0), prevHash: 'f'.repeat(64) };
      assert.deepEqual(pick(verifyChain([{ ...forged, hash: entryHash(forged) }])), {
        problem: 'altered',
        firstBadSequence: 1,
      });
    });
  });

  describe('a removed entry', () => {
    it('a gap in the sequence: removed at the first missing number', () => {
      const chain = chainOf(8);
      chain.splice(3, 2);
      assert.deepEqual(pick(verifyChain(chain)), { problem: 'removed', firstBadSequence: 4 });
    });

    it('removed and the rest renumbered to close the gap: removed', () => {
      const chain = chainOf(8);
      chain.splice(3, 1);
      const renumbered = chain.map((entry, i) => ({ ...entry, sequence: i + 1 }));
      assert.deepEqual(pick(verifyChain(renumbered)), { problem: 'removed', firstBadSequence: 4 });
    });

    it('the first entry removed: removed at 1', () => {
      assert.deepEqual(pick(verifyChain(chainOf(3).slice(1))), { problem: 'removed', firstBadSequence: 1 });
    });
  });

  describe('reordered entries', () => {
    it('two entries given in swapped order: reordered at the first', () => {
      const chain = chainOf(8);
      [chain[2], chain[3]] = [at(chain, 3), at(chain, 2)];
      assert.deepEqual(pick(verifyChain(chain)), { problem: 'reordered', firstBadSequence: 3 });
    });

    it('two entries with their sequence numbers swapped (as in a database): reordered', () => {
      const chain = chainOf(8);
      const [third, fourth] = [at(chain, 2), at(chain, 3)];
      chain[2] = { ...fourth, sequence: 3 };
      chain[3] = { ...third, sequence: 4 };
      assert.deepEqual(pick(verifyChain(chain)), { problem: 'reordered', firstBadSequence: 3 });
    });

    it('entries swapped further apart: reordered', () => {
      const chain = chainOf(20);
      [chain[4], chain[14]] = [at(chain, 14), at(chain, 4)];
      assert.deepEqual(pick(verifyChain(chain)), { problem: 'reordered', firstBadSequence: 5 });
    });
  });

  describe('an inserted entry', () => {
    const forged = (after: AuditEntry, sequence: number): AuditEntry => {
      const fields = {
        ...after,
        sequence,
        kind: 'member.admitted',
        data: { forged: true },
        prevHash: after.hash,
      };
      return { ...fields, hash: entryHash(fields) };
    };

    it('a forged entry linked in, the later entries renumbered: inserted', () => {
      const chain = chainOf(6);
      const shifted = [
        ...chain.slice(0, 3),
        forged(at(chain, 2), 4),
        ...chain.slice(3).map((e) => ({ ...e, sequence: e.sequence + 1 })),
      ];
      assert.deepEqual(pick(verifyChain(shifted)), { problem: 'inserted', firstBadSequence: 4 });
    });

    it('a forged entry that links to nothing, before the rightful one: inserted', () => {
      const chain = chainOf(6);
      const stray = { ...forged(at(chain, 2), 4), prevHash: 'a'.repeat(64) };
      const withStray = [...chain.slice(0, 3), { ...stray, hash: entryHash(stray) }, ...chain.slice(3)];
      assert.deepEqual(pick(verifyChain(withStray)), { problem: 'inserted', firstBadSequence: 4 });
    });

    it('an entry repeated: inserted', () => {
      const chain = chainOf(4);
      assert.deepEqual(pick(verifyChain([...chain, at(chain, 1)])), {
        problem: 'inserted',
        firstBadSequence: 5,
      });
    });
  });

  it('a chain rewritten from an entry on and re-hashed to the end verifies: only the head or a checkpoint shows it', () => {
    const chain = chainOf(6);
    chain[2] = { ...at(chain, 2), data: { rewritten: true } };
    const rewritten = rehash(chain, 2);
    const result = verifyChain(rewritten);
    assert.equal(result.valid, true);
    assert.notEqual(result.valid && result.headHash, at(chainOf(6), 5).hash);
  });
});

function pick(result: ReturnType<typeof verifyChain>) {
  assert.equal(result.valid, false, 'expected an invalid chain');
  return result.valid ? {} : { problem: result.problem, firstBadSequence: result.firstBadSequence };
}
