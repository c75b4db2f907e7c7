/**
 * `signature` (VC-JOSE-COSE §3, RFC 7515 §5.2). The algorithm must be on the allow-list
 * (EdDSA, ES256: never `none`, never HMAC). The key comes only from the signer's DID document,
 * under `assertionMethod` for credentials and `authentication` for presentations; embedded
 * `jwk`, `jku`, `x5u` or `x5c` headers are never used. The `kid`, when present, must be a
 * method of the signer's own DID. Every claim naming the issuer (`iss`, `issuer`,
 * `vc.issuer`) must agree, and so must every claim naming the subject (`sub`,
 * `credentialSubject.id`). Both encodings of an ES256 signature, (r, s) and (r, n − s), are
 * valid signatures by the signer's key and are accepted by default, as RFC 7518 §3.4 allows:
 * OpenSSL-based signers, did-jwt and Veramo do not normalise s. Only the token string is
 * malleable, and replay protection keys on `jti`/`nonce`, never on it. With `es256LowSOnly`
 * (ES256_LOW_S_ONLY) the high-S form is refused with `non_canonical_signature`.
 * A DID document that would have to be fetched after
 * the request's fetch budget is spent fails with `fetch_budget_exhausted`.
 * Codes: `unsupported_algorithm`, `unsupported_issuer` (the signer is not a DID, e.g. an https
 * issuer), `issuer_mismatch`, `subject_mismatch`, `unknown_key` (including a `kid` that is neither
 * a DID URL nor a `#fragment`), `unresolvable_did`, `unsupported_key`, `invalid_signature`,
 * `non_canonical_signature` (only with `es256LowSOnly`), `fetch_budget_exhausted`.
 */
import { verify } from 'node:crypto';
import type { ParsedJws } from '../compact-jws.js';
import { isHighS } from '../ecdsa-low-s.js';
import {
  type FetchBudget,
  type KeyLookup,
  KeyLookupError,
  type KeyRelationship,
  type VerificationAlgorithm,
} from '../ports.js';
import { type CheckResult, failed, passed } from '../result.js';

export const ALLOWED_ALGORITHMS: readonly VerificationAlgorithm[] = ['EdDSA', 'ES256'];

export interface SignerClaims {
  readonly signer: string | undefined;
  readonly signerClaims: readonly string[];
  readonly subjectClaims: readonly string[];
}

export interface SignatureCheckOptions {
  /** Bounds the DID documents fetched for the request. */
  readonly budget?: FetchBudget;
  /** Refuse ES256 signatures in high-S form (ES256_LOW_S_ONLY); default false: accept both. */
  readonly es256LowSOnly?: boolean;
}

export function verifyRawSignature(
  alg: VerificationAlgorithm,
  jws: ParsedJws,
  key: import('node:crypto').KeyObject,
): boolean {
  if (alg === 'EdDSA') {
    return jws.signature.length === 64 && verify(null, jws.signingInput, key, jws.signature);
  }
  return (
    jws.signature.length === 64 &&
    verify('sha256', jws.signingInput, { key, dsaEncoding: 'ieee-p1363' }, jws.signature)
  );
}

export async function checkSignature(
  jws: ParsedJws,
  claims: SignerClaims,
  relationship: KeyRelationship,
  keys: KeyLookup,
  options: SignatureCheckOptions = {},
): Promise<CheckResult> {
  const { budget } = options;
  const alg = jws.header.alg as string;
  if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(alg)) {
    return failed('signature', 'unsupported_algorithm', `alg ${JSON.stringify(alg)} is not allowed`);
  }
  const signer = claims.signer;
  if (signer === undefined) return failed('signature', 'issuer_mismatch', 'the token names no signer');
  if (!signer.startsWith('did:')) {
    // JWT VC formats (jwt_vc_json, vc+jwt) name their issuer by a DID: an https (or any non-DID)
    // issuer is unsupported_issuer here, even where a trust anchor names it (those anchors are for
    // SD-JWT VCs, whose keys come from /.well-known/jwt-vc-issuer; the registry refuses them too).
    return failed('signature', 'unsupported_issuer', 'the signer is not named by a DID');
  }
  if (claims.signerClaims.length > 1) {
    return failed(
      'signature',
      'issuer_mismatch',
      `the token names several issuers: ${claims.signerClaims.join(', ')}`,
    );
  }
  if (claims.subjectClaims.length > 1) {
    return failed('signature', 'subject_mismatch', 'sub and credentialSubject.id differ');
  }
  const kid = jws.header.kid;
  let keyId: string | undefined;
  if (kid !== undefined) {
    if (typeof kid !== 'string' || kid.length === 0)
      return failed('signature', 'unknown_key', 'kid is not a string');
    // A kid is a DID URL or a fragment `#…` relative to the signer; anything else names no key.
    if (!kid.startsWith('#') && !kid.startsWith('did:'))
      return failed('signature', 'unknown_key', 'kid is neither a DID URL nor a #fragment');
    keyId = kid.startsWith('#') ? `${signer}${kid}` : kid;
    const hash = keyId.indexOf('#');
    const kidDid = hash === -1 ? keyId : keyId.slice(0, hash);
    if (kidDid !== signer) {
      return failed('signature', 'issuer_mismatch', 'the kid names a key of another DID than the issuer');
    }
  }
  let key: Awaited<ReturnType<KeyLookup['verificationKey']>>;
  try {
    key = await keys.verificationKey(signer, keyId, relationship, budget);
  } catch (error) {
    if (error instanceof KeyLookupError) return failed('signature', error.code, error.message);
    throw error;
  }
  if (!key.algorithms.includes(alg as VerificationAlgorithm)) {
    return failed('signature', 'unsupported_algorithm', `the key ${key.id} is not for ${alg}`);
  }
  if (!verifyRawSignature(alg as VerificationAlgorithm, jws, key.publicKey)) {
    return failed('signature', 'invalid_signature', 'the signature does not verify with the issuer key');
  }
  // Checked after the signature verified, so the code says "a valid signature, in the second encoding".
  if (options.es256LowSOnly === true && alg === 'ES256' && isHighS(jws.signature)) {
    return failed('signature', 'non_canonical_signature', 'the ES256 signature is not in its low-S form');
  }
  return passed('signature');
}
