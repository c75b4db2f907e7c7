/**
 * A vote signed through the wallet (issue 14 item 3): the board member's wallet answers an
 * OpenID4VP request whose `transaction_data` item is the vote, and signs the item's hash into
 * its presentation (OpenID4VP 1.0 §5.1, §8.4; `transaction_data_hashes` as Appendix B.3.3 defines
 * them, here in the JWT VP). The presentation and the item, kept verbatim, are the signed vote:
 * anyone re-verifies the signature with the voter's DID document, hashes the item and finds it
 * in `transaction_data_hashes`. Verified here from the bytes, independently of the OpenID4VP
 * verifier that received it.
 *
 * The item: `{ "type": "dataspace_vote", "credential_ids": [...], "motion": id, "decision":
 * "approve" | "reject", "reason"?: text }`.
 *
 * Codes (GovernanceError, 400 unless noted):
 * - `invalid_statement`: not a compact JWS presentation (`vp`), or the item is not a vote;
 * - the signature check's codes (the key from the holder's DID document, `authentication`);
 * - `foreign_audience`: the presentation is not addressed to this service's verifier client id;
 * - `stale_statement`: `iat` missing, in the future or older than five minutes;
 * - `missing_jti`: no usable `jti` (it is spent once, as a statement's);
 * - `vote_not_signed`: the item's SHA-256 is not in the presentation's `transaction_data_hashes`
 *   (or `transaction_data_hashes_alg` is not `sha-256`).
 */
import { createHash } from 'node:crypto';
import { checkSignature } from '../credentials/verify/checks/signature.js';
import { JwsFormatError, parseCompactJws } from '../credentials/verify/compact-jws.js';
import { GovernanceError } from './errors.js';
import {
  STATEMENT_MAX_AGE_SECONDS,
  type StatementOptions,
  type VerifiedStatement,
} from './signed-statement.js';

export const VOTE_TRANSACTION_TYPE = 'dataspace_vote';
/** The prefix of the verifier's client id (OpenID4VP §5.9.3), the presentation's `aud`. */
const VERIFIER_PREFIX = 'decentralized_identifier:';

export interface PresentedVote {
  /** The JWT VP, verbatim. */
  readonly presentation: string;
  /** The `transaction_data` item string, verbatim (base64url JSON). */
  readonly transactionData: string;
}

function invalid(message: string): never {
  throw new GovernanceError(400, 'invalid_statement', message);
}

/** The vote item decoded (not yet known to be signed). */
export function readVoteItem(item: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(item, 'base64url').toString('utf8'));
  } catch {
    invalid('the transaction data item is not base64url JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    invalid('the item is not an object');
  const vote = value as Record<string, unknown>;
  if (vote.type !== VOTE_TRANSACTION_TYPE) invalid(`the item's type is not ${VOTE_TRANSACTION_TYPE}`);
  return vote;
}

/**
 * The vote as a verified statement of its signer: `payload` holds `motion`, `decision` and
 * `reason` from the item, `jti` and `iat` from the presentation.
 */
export async function verifyPresentedVote(
  vote: PresentedVote,
  options: StatementOptions,
): Promise<VerifiedStatement> {
  if (typeof vote.presentation !== 'string' || typeof vote.transactionData !== 'string')
    invalid('a presented vote is a presentation and its transaction data item');
  let jws: ReturnType<typeof parseCompactJws>;
  try {
    jws = parseCompactJws(vote.presentation);
  } catch (error) {
    if (error instanceof JwsFormatError) invalid(error.message);
    throw error;
  }
  const { payload } = jws;
  if (payload.vp === undefined) invalid('the vote is not a presentation');
  const signer = typeof payload.iss === 'string' ? payload.iss : undefined;
  const signature = await checkSignature(
    jws,
    { signer, signerClaims: signer ? [signer] : [], subjectClaims: [] },
    'authentication',
    options.keys,
    { es256LowSOnly: options.es256LowSOnly === true },
  );
  if (signature.result !== 'passed') {
    throw new GovernanceError(
      400,
      signature.code ?? 'invalid_signature',
      signature.detail ?? 'the signature does not verify',
    );
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(`${VERIFIER_PREFIX}${options.audience}`))
    throw new GovernanceError(400, 'foreign_audience', 'the presentation is not addressed to this service');
  const iat = payload.iat;
  const now = options.now.getTime() / 1000;
  const skew = options.skewSeconds ?? 60;
  if (typeof iat !== 'number' || !Number.isFinite(iat) || iat > now + skew)
    throw new GovernanceError(400, 'stale_statement', 'iat is missing or in the future');
  if (now - iat > (options.maxAgeSeconds ?? STATEMENT_MAX_AGE_SECONDS) + skew)
    throw new GovernanceError(400, 'stale_statement', 'the presentation is too old; sign a fresh one');
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 200)
    throw new GovernanceError(400, 'missing_jti', 'the presentation needs a jti (at most 200 characters)');
  const hash = createHash('sha256').update(vote.transactionData, 'utf8').digest('base64url');
  const hashes = payload.transaction_data_hashes;
  if (
    (payload.transaction_data_hashes_alg ?? 'sha-256') !== 'sha-256' ||
    !Array.isArray(hashes) ||
    !hashes.includes(hash)
  ) {
    throw new GovernanceError(400, 'vote_not_signed', 'the presentation does not sign this vote');
  }
  const item = readVoteItem(vote.transactionData);
  return {
    signer: signer as string,
    payload: { motion: item.motion, decision: item.decision, reason: item.reason },
    jti,
    iat,
  };
}
