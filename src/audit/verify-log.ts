import { GENESIS_HASH } from './canonical.js';
import type { AuditCheckpoint, AuditHead, StoredCheckpoint } from './checkpoint.js';
import { buildKeyring, checkpointSignedBy, type KeyDocument, keyHistoryOf } from './keyring.js';
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
 * - `checkpoint_signature_invalid`: a stored (or a kept) checkpoint is not signed by a key of
 *   the service DID (see keyring.ts): it was forged, e.g. to match a rewritten log.
 * A tail removed after the head row or a checkpoint (stored or kept) recorded it is `removed`.
 */
export type AuditLogProblem =
  | ChainProblem
  | 'head_mismatch'
  | 'checkpoint_mismatch'
  | 'checkpoint_signature_invalid';

export interface AuditLogValid {
  readonly valid: true;
  readonly size: number;
  readonly headHash: string;
  /** How many stored checkpoints were compared with the chain (each signature verified). */
  readonly checkpoints: number;
  /**
   * How many checkpoints the verifier kept and passed (`--checkpoint`) were held to the log: 0
   * when none were passed (then nothing proves that no tail was cut since an earlier look).
   */
  readonly kept: number;
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

/** What verifyLog holds the log to besides its own rows. */
export interface VerifyLogOptions {
  /**
   * The service DID's document (its current keys): the roots of the keyring that checkpoint
   * signatures are verified with. Without it no checkpoint verifies (fail closed).
   */
  readonly document?: () => Promise<KeyDocument>;
  /**
   * Checkpoints the verifier obtained earlier (a monitor's signed tree heads): each must be
   * signed by the service DID, and the log must still hold an entry at its size with its hash.
   */
  readonly kept?: readonly AuditCheckpoint[];
}

/**
 * Verifies a stored log: the chain of every entry up to the head, then the head row and every
 * stored and kept checkpoint against the hashes of the chain, each checkpoint's signature
 * against the service DID's keys (current, and retired ones vouched for by key-history
 * statements in the chain). Checkpoints are read before the head and the head before the
 * entries, so appends running meanwhile are never mistaken for tampering.
 * Answers the earliest problem found; never throws for bad data.
 */
export async function verifyLog(
  source: LogSource,
  options: VerifyLogOptions = {},
): Promise<AuditVerification> {
  const checkpoints = await source.checkpoints();
  const kept = options.kept ?? [];
  const head = await source.head();
  const wanted = new Set([...checkpoints, ...kept].map((checkpoint) => checkpoint.size));
  const statements: string[] = [];
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
      if (chainFailure) continue;
      if (wanted.has(entry.sequence)) hashes.set(entry.sequence, entry.hash);
      const statement = keyHistoryOf(entry);
      if (statement) statements.push(statement);
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
  const keyring =
    checkpoints.length + kept.length > 0
      ? await buildKeyring(
          options.document ? await options.document() : { id: '', verificationMethod: [] },
          statements,
        )
      : undefined;
  for (const checkpoint of checkpoints) {
    const recorded = hashes.get(checkpoint.size);
    if (checkpoint.consistent && !(keyring && (await checkpointSignedBy(checkpoint, keyring)))) {
      findings.push(
        invalid(
          checkpoint.size,
          'checkpoint_signature_invalid',
          `the stored checkpoint at size ${checkpoint.size} is not signed by a key of ${keyring?.did || 'the service DID'}: it was forged`,
        ),
      );
    } else if (!checkpoint.consistent) {
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
  for (const checkpoint of kept) {
    const recorded = hashes.get(checkpoint.size);
    if (!(keyring && (await checkpointSignedBy(checkpoint, keyring)))) {
      findings.push(
        invalid(
          checkpoint.size,
          'checkpoint_signature_invalid',
          `the kept checkpoint at size ${checkpoint.size} is not signed by a key of ${keyring?.did || 'the service DID'} ` +
            '(not genuine, or the key-history entries that vouched for its key were removed from the log)',
        ),
      );
    } else if (recorded !== undefined && recorded !== checkpoint.headHash) {
      findings.push(
        invalid(
          checkpoint.size,
          'checkpoint_mismatch',
          `entry ${checkpoint.size} no longer has the hash of the kept checkpoint signed at ${checkpoint.at}: the log was rewritten`,
        ),
      );
    } else if (!chainFailure && checkpoint.size > chain.size) {
      findings.push(
        invalid(
          chain.size + 1,
          'removed',
          `a kept checkpoint signed at ${checkpoint.at} counts ${checkpoint.size} entries; ${chain.size} remain: the log was cut`,
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
  return {
    valid: true,
    size: chain.size,
    headHash: chain.headHash,
    checkpoints: checkpoints.length,
    kept: kept.length,
  };
}

function invalid(firstBadSequence: number, problem: AuditLogProblem, detail: string): AuditLogInvalid {
  return { valid: false, firstBadSequence, problem, detail };
}
