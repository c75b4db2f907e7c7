/**
 * The key binding JWT of an SD-JWT presentation (RFC 9901 §4.3, §7.3; SD-JWT VC §3.2.2.2 `cnf`).
 *
 * - `format`: the KB-JWT's `typ` is `kb+jwt` (`wrong_type`); it carries `iat` (number), `nonce`
 *   and `sd_hash` (strings) and `aud` (`malformed`). A presentation without one is
 *   `missing_key_binding`: this service never accepts an SD-JWT VC as a bearer token.
 * - `signature`: the algorithm is on the allow-list, EdDSA or ES256 (`unsupported_algorithm`:
 *   never `none`, never HMAC); the key is the holder's public JWK in the credential's
 *   `cnf.jwk` (`missing_cnf` when the credential names none: only a `jwk` confirmation method
 *   is supported, `unsupported_cnf` for others or for a JWK holding private parts), of the
 *   algorithm's key type (`unsupported_key`); the signature verifies (`invalid_signature`).
 * - `holder_binding`: `sd_hash` is the base64url SHA-256 of the presented SD-JWT exactly as
 *   sent, issuer JWT and every disclosure up to the last `~` (`sd_hash_mismatch`): a KB-JWT
 *   lifted onto other disclosures fails.
 *
 * `nonce`, `aud` and the freshness of `iat` are the presentation's `challenge`, `domain` and
 * `validity` checks, shared with JWT presentations.
 */
import type { KeyObject } from 'node:crypto';
import { importPublicJwk, type KeyCurve, KeyMaterialError } from '../../../did/index.js';
import { verifyRawSignature } from '../../verify/checks/signature.js';
import type { ParsedJws } from '../../verify/compact-jws.js';
import { mediaTypeOf } from '../../verify/model.js';
import { type CheckResult, failed, passed } from '../../verify/result.js';
import { sha256Digest } from '../compact.js';

export function checkKbFormat(kb: ParsedJws | undefined): CheckResult {
  if (kb === undefined)
    return failed('format', 'missing_key_binding', 'the SD-JWT is presented without a key binding JWT');
  if (mediaTypeOf(kb.header.typ) !== 'kb+jwt')
    return failed('format', 'wrong_type', 'the key binding JWT is not typed kb+jwt');
  const { iat, nonce, sd_hash: sdHash, aud } = kb.payload;
  if (typeof iat !== 'number' || typeof nonce !== 'string' || typeof sdHash !== 'string' || aud === undefined)
    return failed('format', 'malformed', 'the key binding JWT needs iat, nonce, aud and sd_hash');
  return passed('format');
}

/** The holder's key from `cnf.jwk`, or the failure saying why there is none. */
export function holderKey(cnf: unknown): { key: KeyObject; curve: KeyCurve } | CheckResult {
  if (cnf === undefined || cnf === null || typeof cnf !== 'object')
    return failed('signature', 'missing_cnf', 'the credential names no holder key (cnf)');
  const jwk = (cnf as Record<string, unknown>).jwk;
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk))
    return failed('signature', 'unsupported_cnf', 'only a cnf.jwk holder key is supported');
  try {
    const { curve, publicKey } = importPublicJwk(jwk);
    return { key: publicKey, curve };
  } catch (error) {
    if (error instanceof KeyMaterialError && error.problem === 'private')
      return failed('signature', 'unsupported_cnf', 'the cnf key holds private key material');
    return failed('signature', 'unsupported_key', 'the cnf key is not a usable Ed25519 or P-256 public JWK');
  }
}

export function checkKbSignature(kb: ParsedJws, cnf: unknown): CheckResult {
  const alg = kb.header.alg;
  if (alg !== 'EdDSA' && alg !== 'ES256')
    return failed('signature', 'unsupported_algorithm', `alg ${JSON.stringify(alg)} is not allowed`);
  const holder = holderKey(cnf);
  if ('check' in holder) return holder;
  if (holder.curve !== (alg === 'EdDSA' ? 'Ed25519' : 'P-256'))
    return failed('signature', 'unsupported_key', `the cnf key is not a key for ${alg}`);
  return verifyRawSignature(alg, kb, holder.key)
    ? passed('signature')
    : failed('signature', 'invalid_signature', 'the key binding JWT is not signed by the cnf key');
}

export function checkSdHash(kb: ParsedJws, presented: string): CheckResult {
  return kb.payload.sd_hash === sha256Digest(presented)
    ? passed('holder_binding')
    : failed('holder_binding', 'sd_hash_mismatch', 'sd_hash is not the digest of the presented SD-JWT');
}
