import { entryHash, GENESIS_HASH, type HashedFields } from './canonical.js';

/**
 * One entry of the log: the hashed fields and the recorded hash. `data` is an object for every
 * entry the log wrote; read back from a tampered row that is not JSON any more, it is that
 * row's raw text (which can never hash to the recorded value).
 */
export interface AuditEntry extends HashedFields {
  /** SHA-256 (hex) of the canonical serialisation, see canonical.ts. */
  readonly hash: string;
}

/**
 * What is wrong at the first bad place of a chain:
 * - `altered`: an entry's content no longer hashes to its recorded hash (or, re-hashed, no
 *   longer links to its predecessor);
 * - `removed`: entries are missing (a gap in the sequence, or a later entry renumbered into it);
 * - `reordered`: the entry that belongs here comes later, and this one belongs after it;
 * - `inserted`: an entry that belongs nowhere sits here, or two entries claim one predecessor.
 */
export type ChainProblem = 'altered' | 'removed' | 'reordered' | 'inserted';

export interface ChainValid {
  readonly valid: true;
  /** The number of entries. */
  readonly size: number;
  /** The last entry's hash; 64 zeros for an empty chain. */
  readonly headHash: string;
}

export interface ChainInvalid {
  readonly valid: false;
  /** The sequence number of the first place where the chain is bad. */
  readonly firstBadSequence: number;
  readonly problem: ChainProblem;
  /** One sentence for the operator. */
  readonly detail: string;
}

export type ChainVerification = ChainValid | ChainInvalid;

/**
 * How many following entries are looked at to tell a reordered or an inserted entry from an
 * altered one. Two entries swapped further apart than this are reported as `altered`.
 */
export const LOOKAHEAD = 256;
/** How many renumbered positions are tried to recognise entries removed from the middle. */
const RENUMBERING_PROBES = 16;

/**
 * Verifies a chain given in order: recomputes every hash and checks every link to the
 * previous entry. Pure; never throws for bad data, it returns the first problem found.
 */
export function verifyChain(entries: Iterable<AuditEntry>): ChainVerification {
  const list = Array.isArray(entries) ? (entries as readonly AuditEntry[]) : [...entries];
  const walker = new ChainWalker();
  for (let i = 0; i < list.length; i++) {
    const failure = walker.step(list[i] as AuditEntry, () => list.slice(i + 1, i + 1 + LOOKAHEAD));
    if (failure) return failure;
  }
  return walker.result();
}

/**
 * The incremental form of verifyChain, for logs read page by page: feed entries in order with
 * `step`, giving access to (up to LOOKAHEAD of) the entries that follow, which are only looked
 * at once something is wrong. Stop at the first failure.
 */
export class ChainWalker {
  private expected = 1;
  private prevHash = GENESIS_HASH;
  private last: AuditEntry | undefined;

  /** Accepts the entry (answers undefined) or says what is wrong at this place. */
  step(entry: AuditEntry, following: () => readonly AuditEntry[]): ChainInvalid | undefined {
    const k = this.expected;
    if (entry.sequence === k && entry.prevHash === this.prevHash && hashesAs(entry, k)) {
      this.expected = k + 1;
      this.prevHash = entry.hash;
      this.last = entry;
      return undefined;
    }
    return this.diagnose(entry, following());
  }

  result(): ChainValid {
    return { valid: true, size: this.expected - 1, headHash: this.prevHash };
  }

  private diagnose(entry: AuditEntry, later: readonly AuditEntry[]): ChainInvalid {
    const k = this.expected;
    const last = this.last;
    if (
      last &&
      entry.prevHash === last.prevHash &&
      (hashesAs(entry, entry.sequence) || hashesAs(entry, last.sequence))
    ) {
      return fail(
        last.sequence,
        'inserted',
        `two entries follow the same predecessor at sequence ${last.sequence}`,
      );
    }
    const rightful = later.find(
      (candidate) => candidate.prevHash === this.prevHash && hashesAs(candidate, k),
    );
    if (rightful) {
      const belongsLater =
        entry.prevHash === rightful.hash || later.some((candidate) => candidate.hash === entry.prevHash);
      return belongsLater
        ? fail(k, 'reordered', `the entry written as ${k} comes later; the one here belongs after it`)
        : fail(k, 'inserted', `an entry that is not part of the chain sits before the entry written as ${k}`);
    }
    if (entry.sequence > k) {
      return fail(k, 'removed', `entries ${k} to ${entry.sequence - 1} are missing`);
    }
    if (entry.sequence < k) {
      return fail(k, 'inserted', `an entry numbered ${entry.sequence} appears again at position ${k}`);
    }
    if (hashesAs(entry, k)) {
      return fail(
        k,
        'altered',
        k === 1
          ? 'the first entry does not start from 64 zeros'
          : `entry ${k} does not link to entry ${k - 1}: one of them was rewritten and re-hashed, or entries between them removed and the rest renumbered`,
      );
    }
    for (let shift = 1; shift <= RENUMBERING_PROBES; shift++) {
      if (hashesAs(entry, k + shift)) {
        return fail(
          k,
          'removed',
          `entry ${k} was written as ${k + shift}: entries were removed and the rest renumbered`,
        );
      }
    }
    return fail(k, 'altered', `entry ${k} does not hash to its recorded hash: its content was changed`);
  }
}

/** Whether the entry's content, placed at `sequence`, hashes to its recorded hash. */
function hashesAs(entry: AuditEntry, sequence: number): boolean {
  try {
    return entryHash({ ...entry, sequence }) === entry.hash;
  } catch {
    // Not JSON any more (e.g. too deep): it cannot be what was written.
    return false;
  }
}

function fail(firstBadSequence: number, problem: ChainProblem, detail: string): ChainInvalid {
  return { valid: false, firstBadSequence, problem, detail };
}
