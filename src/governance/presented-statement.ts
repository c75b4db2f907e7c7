/**
 * A statement signed through the wallet (issue 14 item 3): the board member's wallet answers an
 * OpenID4VP request whose `transaction_data` item is the statement (a vote, a motion), and signs
 * the item's hash into its presentation (OpenID4VP 1.0 §5.1, §8.4; `transaction_data_hashes` as
 * Appendix B.3.3 defines them, here in the JWT VP). The presentation and the item, kept
 * verbatim, are the signed statement: anyone re-verifies the signature with the signer's DID
 * document, hashes the item and finds it in `transaction_data_hashes`. Verified here from the
 * bytes, independently of the OpenID4VP verifier that received it.
 *
 * Codes (GovernanceError, 400):
 * - `invalid_statement`: not a compact JWS presentation (`vp`), or the item is not base64url
 *   JSON of the expected `type`;
 * - the signature check's codes (the key from the holder's DID document, `authentication`);
 * - `foreign_audience`: the presentation is not addressed to this service's verifier client id;
 * - `stale_statement`: `iat` missing, in the future or older than five minutes;
 * - `missing_jti`: no usable `jti` (it is spent once, as a statement's);
 * - the caller's "not signed" code (`vote_not_signed`, `motion_not_signed`): the item's SHA-256
 *   is not in the presentation's `transaction_data_hashes` (or `transaction_data_hashes_alg` is
 *   not `sha-256`).
 */
import { JwsFormatError, parseCompactJws } from '../credentials/verify/compact-jws.js';
import { GovernanceError } from './errors.js';
import {
  requireSignerSignature,
  STATEMENT_MAX_AGE_SECONDS,
  type StatementOptions,
  signsTransactionItem,
} from './signed-statement.js';

/** The prefix of the verifier's client id (OpenID4VP §5.9.3), the presentation's `aud`. */
const VERIFIER_PREFIX = 'decentralized_identifier:';

/** What a wallet's answer holds for one statement: the presentation and the item, both verbatim. */
export interface PresentedStatement {
  /** The JWT VP, verbatim. */
  readonly presentation: string;
  /** The `transaction_data` item string, verbatim (base64url JSON). */
  readonly transactionData: string;
}

/** The presented statement verified: its signer, the item decoded, and the presentation's jti/iat. */
export interface VerifiedPresentedStatement {
  readonly signer: string;
  readonly item: Readonly<Record<string, unknown>>;
  readonly jti: string;
  readonly iat: number;
}

function invalid(message: string): never {
  throw new GovernanceError(400, 'invalid_statement', message);
}

/** A `transaction_data` item decoded and its `type` checked (not yet known to be signed). */
export function readTransactionItem(item: string, type: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(item, 'base64url').toString('utf8'));
  } catch {
    invalid('the transaction data item is not base64url JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    invalid('the item is not an object');
  const decoded = value as Record<string, unknown>;
  if (decoded.type !== type) invalid(`the item's type is not ${type}`);
  return decoded;
}

/**
 * Verifies a presented statement from its bytes: the presentation's signature by its `iss` DID,
 * its audience, freshness and jti, and that it signs the item's hash; then the item's type.
 */
export async function verifyPresentedStatement(
  presented: PresentedStatement,
  expected: { readonly type: string; readonly notSignedCode: string },
  options: StatementOptions,
): Promise<VerifiedPresentedStatement> {
  if (typeof presented.presentation !== 'string' || typeof presented.transactionData !== 'string')
    invalid('a presented statement is a presentation and its transaction data item');
  let jws: ReturnType<typeof parseCompactJws>;
  try {
    jws = parseCompactJws(presented.presentation);
  } catch (error) {
    if (error instanceof JwsFormatError) invalid(error.message);
    throw error;
  }
  const { payload } = jws;
  if (payload.vp === undefined) invalid('the statement is not a presentation');
  const signer = await requireSignerSignature(jws, 'authentication', options);
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
  if (!signsTransactionItem(payload, presented.transactionData)) {
    throw new GovernanceError(
      400,
      expected.notSignedCode,
      `the presentation does not sign this ${expected.type} item`,
    );
  }
  const item = readTransactionItem(presented.transactionData, expected.type);
  return { signer, item, jti, iat };
}
