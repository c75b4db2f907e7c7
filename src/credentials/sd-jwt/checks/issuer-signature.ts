/**
 * `format` and `signature` of the issuer-signed JWT of an SD-JWT VC (SD-JWT VC §3.2.1, §3.5;
 * RFC 9901 §7.1 step 2).
 *
 * Format: `typ` is `dc+sd-jwt`; `vc+sd-jwt` is accepted as its legacy name (drafts before -06
 * used it and deployed issuers still do; the two media types name the same format), anything
 * else is `wrong_type`. `vct` is a non-empty string (`missing_vct`), `iss` a string
 * (`missing_issuer`).
 *
 * Signature: the algorithm is on the allow-list (EdDSA, ES256: never `none`) and the header
 * names its key by `kid` (`missing_kid`: an issuer may hold several keys, and which one signed
 * is never guessed). For an issuer named by a DID, that key comes from the issuer's DID
 * document under `assertionMethod`. For an issuer named by an https URL (SD-JWT VC §5), it
 * comes from the issuer's `/.well-known/jwt-vc-issuer` metadata (issuer-metadata.ts, whose
 * codes the check reports: `issuer_metadata_mismatch`, `invalid_issuer_metadata`,
 * `private_address`, `too_large`, …); any other `iss` is `unsupported_issuer`, as is an https
 * issuer where the service was set up without issuer metadata. The remaining codes are the
 * shared signature check's (`checks/signature.ts`): `unsupported_algorithm`, `unknown_key`,
 * `issuer_mismatch`, `unresolvable_did`, `unsupported_key`, `invalid_signature`,
 * `non_canonical_signature`, `fetch_budget_exhausted`.
 */
import {
  checkSignature,
  type SignatureCheckOptions,
  verifyRawSignature,
} from '../../verify/checks/signature.js';
import type { ParsedJws } from '../../verify/compact-jws.js';
import { isHighS } from '../../verify/ecdsa-low-s.js';
import { mediaTypeOf } from '../../verify/model.js';
import type { KeyLookup } from '../../verify/ports.js';
import { type CheckResult, failed, passed } from '../../verify/result.js';
import { IssuerKeyError, type IssuerKeys, isUrlIssuer } from '../issuer-metadata.js';

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
  options: SignatureCheckOptions & { readonly issuerKeys?: IssuerKeys },
): Promise<CheckResult> {
  const issuer = jws.payload.iss as string;
  const alg = jws.header.alg;
  if (alg !== 'EdDSA' && alg !== 'ES256')
    return failed('signature', 'unsupported_algorithm', `alg ${JSON.stringify(alg)} is not allowed`);
  const urlIssuer = isUrlIssuer(issuer) && options.issuerKeys !== undefined;
  if (!issuer.startsWith('did:') && !urlIssuer)
    return failed(
      'signature',
      'unsupported_issuer',
      'the issuer is named neither by a DID nor by an https URL',
    );
  if (jws.header.kid === undefined)
    return failed('signature', 'missing_kid', 'the issuer-signed JWT does not name its key (kid)');
  if (urlIssuer) return checkUrlIssuerSignature(jws, issuer, options.issuerKeys as IssuerKeys, options);
  return checkSignature(
    jws,
    { signer: issuer, signerClaims: [issuer], subjectClaims: [] },
    'assertionMethod',
    keys,
    options,
  );
}

/** The signature of an issuer named by an https URL, with the key its metadata gives for `kid`. */
async function checkUrlIssuerSignature(
  jws: ParsedJws,
  issuer: string,
  issuerKeys: IssuerKeys,
  options: SignatureCheckOptions,
): Promise<CheckResult> {
  const kid = jws.header.kid;
  if (typeof kid !== 'string' || kid.length === 0)
    return failed('signature', 'unknown_key', 'kid is not a string');
  let key: Awaited<ReturnType<IssuerKeys['verificationKey']>>;
  try {
    key = await issuerKeys.verificationKey(issuer, kid, options.budget);
  } catch (error) {
    if (error instanceof IssuerKeyError) return failed('signature', error.code, error.message);
    throw error;
  }
  const alg = jws.header.alg as 'EdDSA' | 'ES256';
  if (!key.algorithms.includes(alg))
    return failed('signature', 'unsupported_algorithm', `the key ${key.id} is not for ${alg}`);
  if (!verifyRawSignature(alg, jws, key.publicKey))
    return failed('signature', 'invalid_signature', 'the signature does not verify with the issuer key');
  if (options.es256LowSOnly === true && alg === 'ES256' && isHighS(jws.signature))
    return failed('signature', 'non_canonical_signature', 'the ES256 signature is not in its low-S form');
  return passed('signature');
}
