/**
 * Holder binding of issued credentials (OpenID4VCI 1.0 §8.2, Appendix A): which key a
 * credential is bound to, from a verified key proof.
 *
 * - `jwt_vc_json` names its holder in `credentialSubject.id`, which for the
 *   MembershipCredential is the member's DID (the registry's entry). The proof's key must be
 *   that DID's: a `kid` of the member's DID, or a `jwk` equal to the key of the member's DID
 *   document (its only `authentication` key).
 * - `dc+sd-jwt` binds to any key the wallet proves (`cnf.jwk`), for the member the access token
 *   was issued to.
 *
 * Code: `invalid_proof`.
 */
import { type KeyLookup, KeyLookupError } from '../credentials/verify/ports.js';
import type { IssuedFormat } from './configurations.js';
import { proofError } from './errors.js';
import type { VerifiedProof } from './proofs.js';

export interface Binding {
  /** `dc+sd-jwt`: the holder's public JWK for `cnf`. */
  readonly holderKey?: Record<string, string>;
}

const sameKey = (a: Record<string, string>, b: Record<string, string>) =>
  a.kty === b.kty && a.crv === b.crv && a.x === b.x && a.y === b.y;

export async function bindingOf(
  proof: VerifiedProof,
  format: IssuedFormat,
  subject: string,
  keys: KeyLookup,
): Promise<Binding> {
  if (format === 'dc+sd-jwt') return { holderKey: proof.publicJwk };
  if (proof.did !== undefined) {
    if (proof.did !== subject)
      throw proofError(
        `the key proof is signed by ${proof.did}, not by the member ${subject} the credential names`,
      );
    return {};
  }
  let memberKey: Record<string, string>;
  try {
    const found = await keys.verificationKey(subject, undefined, 'authentication');
    memberKey = found.publicKey.export({ format: 'jwk' }) as Record<string, string>;
  } catch (error) {
    if (error instanceof KeyLookupError)
      throw proofError(
        `the member's DID has no single key to compare the jwk with: use a kid (${error.code})`,
      );
    throw error;
  }
  if (!sameKey(memberKey, proof.publicJwk))
    throw proofError(`the jwk is not the key of the member ${subject} the credential names`);
  return {};
}
