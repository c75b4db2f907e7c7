/**
 * Signed governance statements (votes, motions, withdrawals): compact JWS signed by the
 * actor's own DID key (under `assertionMethod`), addressed to the service (`aud` = the
 * service DID), fresh (`iat` within five minutes, 60 s skew) and carrying a `jti` that can be
 * used once. The key comes only from the actor's DID document, as for credentials.
 */
import { createHash } from 'node:crypto';
import { checkSignature } from '../credentials/verify/checks/signature.js';
import { JwsFormatError, parseCompactJws } from '../credentials/verify/compact-jws.js';
import type { KeyLookup } from '../credentials/verify/ports.js';
import { GovernanceError } from './errors.js';

export interface VerifiedStatement {
  readonly signer: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly jti: string;
  readonly iat: number;
}

export interface StatementOptions {
  readonly keys: KeyLookup;
  readonly audience: string;
  readonly now: Date;
  readonly maxAgeSeconds?: number;
  readonly skewSeconds?: number;
  /** Refuse ES256 statements in high-S form (ES256_LOW_S_ONLY); default false: accept both. */
  readonly es256LowSOnly?: boolean;
}

export const STATEMENT_MAX_AGE_SECONDS = 300;

/**
 * Throws the signature check's refusal (its code, 400) unless `jws` is signed by a key of its
 * `iss` DID under `relationship`: `assertionMethod` for a statement, `authentication` for a
 * presentation. Answers the signer (the checked `iss`).
 */
export async function requireSignerSignature(
  jws: Parameters<typeof checkSignature>[0],
  relationship: 'assertionMethod' | 'authentication',
  options: Pick<StatementOptions, 'keys' | 'es256LowSOnly'>,
): Promise<string> {
  const signer = typeof jws.payload.iss === 'string' ? jws.payload.iss : undefined;
  const signature = await checkSignature(
    jws,
    { signer, signerClaims: signer ? [signer] : [], subjectClaims: [] },
    relationship,
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
  return signer as string;
}

/**
 * Whether a presentation's payload signs the `transaction_data` item string `item`: its base64url
 * SHA-256 is among `transaction_data_hashes`, with `transaction_data_hashes_alg` sha-256 or absent
 * (OpenID4VP 1.0 §8.4, Appendix B.3.3).
 */
export function signsTransactionItem(payload: Readonly<Record<string, unknown>>, item: string): boolean {
  const hash = createHash('sha256').update(item, 'utf8').digest('base64url');
  const hashes = payload.transaction_data_hashes;
  return (
    (payload.transaction_data_hashes_alg ?? 'sha-256') === 'sha-256' &&
    Array.isArray(hashes) &&
    hashes.includes(hash)
  );
}

export async function verifyStatement(token: unknown, options: StatementOptions): Promise<VerifiedStatement> {
  if (typeof token !== 'string')
    throw new GovernanceError(400, 'invalid_statement', 'the statement must be a compact JWS');
  let jws: ReturnType<typeof parseCompactJws>;
  try {
    jws = parseCompactJws(token);
  } catch (error) {
    if (error instanceof JwsFormatError) throw new GovernanceError(400, 'invalid_statement', error.message);
    throw error;
  }
  const { payload } = jws;
  if (payload.vc !== undefined || payload.vp !== undefined) {
    throw new GovernanceError(
      400,
      'invalid_statement',
      'a credential or presentation is not a governance statement',
    );
  }
  const signer = await requireSignerSignature(jws, 'assertionMethod', options);
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(options.audience)) {
    throw new GovernanceError(
      400,
      'foreign_audience',
      'the statement is not addressed to this service (aud)',
    );
  }
  const iat = payload.iat;
  const now = options.now.getTime() / 1000;
  const skew = options.skewSeconds ?? 60;
  if (typeof iat !== 'number' || !Number.isFinite(iat))
    throw new GovernanceError(400, 'stale_statement', 'iat is missing');
  if (iat > now + skew) throw new GovernanceError(400, 'stale_statement', 'iat is in the future');
  if (now - iat > (options.maxAgeSeconds ?? STATEMENT_MAX_AGE_SECONDS) + skew) {
    throw new GovernanceError(400, 'stale_statement', 'the statement is too old; sign a fresh one');
  }
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 200) {
    throw new GovernanceError(400, 'missing_jti', 'the statement needs a jti (at most 200 characters)');
  }
  return { signer, payload, jti, iat };
}
