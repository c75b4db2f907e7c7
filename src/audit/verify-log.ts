import { GENESIS_HASH } from './canonical.js';
import type { AuditHead, StoredCheckpoint } from './checkpoint.js';
import {
  type AuditEntry,
  type ChainInvalid,
  type ChainProblem,
  ChainWalker,
  LOOKAHEAD,
} from './verify-chain.js';

/**
 * Problems of the stored log beyond those of the chain itself:
 * - `head_mismatch`: the chain is intact but does not end in the hash the head row recorded
 *   at its last append: it was rewritten and re-hashed from some entry up to the end;
 * - `checkpoint_mismatch`: the entry at a signed checkpoint's size no longer has the hash the
 *   checkpoint states (or the stored checkpoint differs from its own signature): the log was
 *   rewritten at or before that entry.
 * A tail removed after the head row or a checkpoint recorded it is `removed`.
 */
export type AuditLogProblem = ChainProblem | 'head_mismatch' | 'checkpoint_mismatch';

export interface AuditLogValid {
  readonly valid: true;
  readonly size: number;
  readonly headHash: string;
  /** How many stored checkpoints were compared with the chain. */
  readonly checkpoints: number;
}

export interface AuditLogInvalid {
  readonly valid: false;
  /** The earliest sequence known to be bad (for a mismatch: the entry whose hash differs). */
  readonly firstBadSequence: number;
  readonly problem: AuditLogProblem;
  readonly detail: string;
}

export type AuditVerification = AuditLogValid | AuditLogInvalid;

/** What verifyLog reads. */
export interface LogSource {
  checkpoints(): Promise<readonly StoredCheckpoint[]>;
  head(): Promise<AuditHead>;
  /** The entries with sequence ≤ `upTo`, in sequence order. */
  entries(upTo: number): AsyncIterable<AuditEntry>;
}

/**
 * Verifies a stored log: the chain of every entry up to the head, then the head row and every
 * stored checkpoint against the hashes of the chain. Checkpoints are read before the head and
 * the head before the entries, so appends running meanwhile are never mistaken for tampering.
 * Answers the earliest problem found; never throws for bad data.
 */
export async function verifyLog(source: LogSource): Promise<AuditVerification> {
  const checkpoints = await source.checkpoints();
  const head = await source.head();
  const wanted = new Set(checkpoints.map((checkpoint) => checkpoint.size));
  const hashes = new Map<number, string>([[0, GENESIS_HASH]]);
  const walker = new ChainWalker();
  // Entries read but not yet checked; each is checked once LOOKAHEAD more have been read.
  let buffer: AuditEntry[] = [];
  let next = 0;
  let chainFailure: ChainInvalid | undefined;
  const drain = (keep: number): void => {
    while (!chainFailure && buffer.length - next > keep) {
      const entry = buffer[next++] as AuditEntry;
      chainFailure = walker.step(entry, () => buffer.slice(next, next + LOOKAHEAD));
      if (!chainFailure && wanted.has(entry.sequence)) hashes.set(entry.sequence, entry.hash);
    }
    if (next > 4 * LOOKAHEAD) {
      buffer = buffer.slice(next);
      next = 0;
    }
  };
  for await (const entry of source.entries(head.size)) {
    buffer.push(entry);
    drain(LOOKAHEAD);
    if (chainFailure) break;
  }
  drain(0);
  const chain = walker.result();
  const findings: AuditLogInvalid[] = chainFailure ? [chainFailure] : [];
  for (const checkpoint of checkpoints) {
    const recorded = hashes.get(checkpoint.size);
    if (!checkpoint.consistent) {
      findings.push(
        invalid(
          checkpoint.size,
          'checkpoint_mismatch',
          `the stored checkpoint at size ${checkpoint.size} differs from its signature`,
        ),
      );
    } else if (recorded !== undefined && recorded !== checkpoint.headHash) {
      findings.push(
        invalid(
          checkpoint.size,
          'checkpoint_mismatch',
          `entry ${checkpoint.size} no longer has the hash signed at ${checkpoint.at}`,
        ),
      );
    } else if (!chainFailure && checkpoint.size > chain.size) {
      findings.push(
        invalid(
          chain.size + 1,
          'removed',
          `a checkpoint signed at ${checkpoint.at} counts ${checkpoint.size} entries; ${chain.size} remain`,
        ),
      );
    }
  }
  if (!chainFailure && head.size > chain.size) {
    findings.push(
      invalid(chain.size + 1, 'removed', `the head records ${head.size} entries; ${chain.size} remain`),
    );
  } else if (!chainFailure && head.headHash !== chain.headHash) {
    findings.push(
      invalid(chain.size, 'head_mismatch', `the chain does not end in the hash recorded at the last append`),
    );
  }
  if (findings.length > 0) {
    // The earliest place; on a tie the chain's own finding (first in the list) says the most.
    return findings.reduce((first, finding) =>
      finding.firstBadSequence < first.firstBadSequence ? finding : first,
    );
  }
  return { valid: true, size: chain.size, headHash: chain.headHash, checkpoints: checkpoints.length };
}

function invalid(firstBadSequence: number, problem: AuditLogProblem, detail: string): AuditLogInvalid {
  return { valid: false, firstBadSequence, problem, detail };
}
