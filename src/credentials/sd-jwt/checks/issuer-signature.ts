/**
 * `format` and `signature` of the issuer-signed JWT of an SD-JWT VC (SD-JWT VC §3.2.1, §3.5;
 * RFC 9901 §7.1 step 2).
 *
 * Format: `typ` is `dc+sd-jwt`; `vc+sd-jwt` is accepted as its legacy name (drafts before -06
 * used it and deployed issuers still do; the two media types name the same format), anything
 * else is `wrong_type`. `vct` is a non-empty string (`missing_vct`), `iss` a string
 * (`missing_issuer`).
 *
 * Signature: the algorithm is on the allow-list (EdDSA, ES256: never `none`), the issuer is a
 * DID (an https issuer with `/.well-known/jwt-vc-issuer` metadata is not resolved by this
 * service: `unsupported_issuer`), the header names its key by `kid` (`missing_kid`: an SD-JWT
 * VC issuer's DID may hold several keys, and which one signed is never guessed), and that key
 * comes from the issuer's DID document under `assertionMethod`. The remaining codes are the
 * shared signature check's (`checks/signature.ts`): `unsupported_algorithm`, `unknown_key`,
 * `issuer_mismatch`, `unresolvable_did`, `unsupported_key`, `invalid_signature`,
 * `non_canonical_signature`, `fetch_budget_exhausted`.
 */
import { checkSignature, type SignatureCheckOptions } from '../../verify/checks/signature.js';
import type { ParsedJws } from '../../verify/compact-jws.js';
import { mediaTypeOf } from '../../verify/model.js';
import type { KeyLookup } from '../../verify/ports.js';
import { type CheckResult, failed, passed } from '../../verify/result.js';

export const SD_JWT_VC_TYPES: readonly string[] = ['dc+sd-jwt', 'vc+sd-jwt'];

export function checkIssuerJwtFormat(jws: ParsedJws): CheckResult {
  const typ = mediaTypeOf(jws.header.typ);
  if (typ === undefined || !SD_JWT_VC_TYPES.includes(typ))
    return failed('format', 'wrong_type', 'the issuer-signed JWT is not typed dc+sd-jwt');
  if (typeof jws.payload.vct !== 'string' || jws.payload.vct.length === 0)
    return failed('format', 'missing_vct', 'an SD-JWT VC names its type in vct');
  if (typeof jws.payload.iss !== 'string' || jws.payload.iss.length === 0)
    return failed('format', 'missing_issuer', 'an SD-JWT VC names its issuer in iss');
  return passed('format');
}

export async function checkIssuerSignature(
  jws: ParsedJws,
  keys: KeyLookup,
  options: SignatureCheckOptions,
): Promise<CheckResult> {
  const issuer = jws.payload.iss as string;
  const alg = jws.header.alg;
  if (alg !== 'EdDSA' && alg !== 'ES256')
    return failed('signature', 'unsupported_algorithm', `alg ${JSON.stringify(alg)} is not allowed`);
  if (!issuer.startsWith('did:'))
    return failed('signature', 'unsupported_issuer', 'the issuer is not named by a DID');
  if (jws.header.kid === undefined)
    return failed('signature', 'missing_kid', 'the issuer-signed JWT does not name its key (kid)');
  return checkSignature(
    jws,
    { signer: issuer, signerClaims: [issuer], subjectClaims: [] },
    'assertionMethod',
    keys,
    options,
  );
}
