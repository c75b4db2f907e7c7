import { decodeJwt } from 'jose';
import type { JwtSigner } from '../credentials/sign.js';
import type { AuditCheckpointRow } from './entities.js';
import { AuditError } from './errors.js';

/** The JOSE `typ` of a checkpoint. */
export const CHECKPOINT_TYP = 'audit-checkpoint+jwt';

/** The log's size and last hash at one moment. */
export interface AuditHead {
  readonly size: number;
  /** The hash of entry `size`; 64 zeros while the log is empty. */
  readonly headHash: string;
}

/**
 * A signed statement by the service DID that the log had `size` entries ending in `headHash`
 * at `at`. Whoever keeps one can later prove that the log was rewritten: the entry at `size`
 * must still hash to `headHash`, forever.
 */
export interface AuditCheckpoint extends AuditHead {
  /** ISO-8601 time of signing. */
  readonly at: string;
  /**
   * Compact JWS (`typ: audit-checkpoint+jwt`, `kid`: a key of the service DID) over
   * `{ iss: serviceDid, size, head: headHash, iat }`.
   */
  readonly signature: string;
}

/** Signs the head with the service DID's key. */
export async function signCheckpoint(
  signer: JwtSigner,
  head: AuditHead,
  now: Date,
): Promise<AuditCheckpoint> {
  const signature = await signer.sign(
    { iss: signer.did, size: head.size, head: head.headHash, iat: Math.floor(now.getTime() / 1000) },
    { typ: CHECKPOINT_TYP },
  );
  return { size: head.size, headHash: head.headHash, at: now.toISOString(), signature };
}

/** A stored checkpoint, and whether its columns say what its signature says. */
export interface StoredCheckpoint extends AuditCheckpoint {
  readonly consistent: boolean;
}

/**
 * Reads a stored row against its own JWS payload (the signature itself is not checked: the keys
 * that made old checkpoints may be retired; the payload is what the service once stated).
 */
export function storedCheckpoint(row: AuditCheckpointRow): StoredCheckpoint {
  const size = Number(row.size);
  let consistent = false;
  try {
    const payload = decodeJwt(row.signature);
    consistent = payload.size === size && payload.head === row.headHash;
  } catch {
    consistent = false;
  }
  return { size, headHash: row.headHash, at: row.at, signature: row.signature, consistent };
}

const HEX64 = /^[0-9a-f]{64}$/;
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Reads a checkpoint a verifier kept (the JSON `audit checkpoint` prints and
 * `GET /api/v1/audit/checkpoint` answers). Throws AuditError `invalid_checkpoint` when it is
 * not one; whether its signature is the service's is checked by verification, not here.
 */
export function parseCheckpoint(value: unknown): AuditCheckpoint {
  const { size, headHash, at, signature } = (value ?? {}) as Record<string, unknown>;
  if (
    typeof size !== 'number' ||
    !Number.isSafeInteger(size) ||
    size < 0 ||
    typeof headHash !== 'string' ||
    !HEX64.test(headHash) ||
    typeof at !== 'string' ||
    at.length > 40 ||
    typeof signature !== 'string' ||
    signature.length > 16_384 ||
    !JWS.test(signature)
  ) {
    throw new AuditError(
      'invalid_checkpoint',
      'a checkpoint is { size, headHash, at, signature } as `audit checkpoint` prints it',
    );
  }
  return { size, headHash, at, signature };
}
