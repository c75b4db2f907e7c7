/**
 * Holder binding of issued credentials (OpenID4VCI 1.0 §8.2, Appendix A): which key a
 * credential is bound to, from a verified key proof.
 *
 * - `jwt_vc_json` names its holder in `credentialSubject.id`, which for the
 *   MembershipCredential is the member's DID (the registry's entry). The proof's key must be
 *   that DID's: a `kid` of the member's DID, or a `jwk` equal to the key of the member's DID
 *   document (its only `authentication` key).
 * - `dc+sd-jwt` binds to the key the wallet proves (`cnf.jwk`). Which keys it may prove depends
 *   on how the access token was obtained (its `holderBinding`):
 *   - `any` (pre-authorized code): the operator handed the offer, and its transaction code, to
 *     the member out of band, so any wallet the member chooses, with its own key, may receive it;
 *   - `member` (authorization code): only a key of the member's DID, the one that proved
 *     membership in the wallet login. Anyone can start an authorization request and forward its
 *     cross-device link to a member, whose wallet then proves membership to this very service:
 *     the code goes to whoever started. Binding to the member's own key makes that code
 *     worthless to anyone else (the attacker cannot sign a key proof with the member's key).
 *
 * Code: `invalid_proof`.
 */
import { type KeyLookup, KeyLookupError } from '../credentials/verify/ports.js';
import type { IssuedFormat } from './configurations.js';
import type { HolderBinding } from './entities.js';
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
  holderBinding: HolderBinding,
): Promise<Binding> {
  if (format === 'dc+sd-jwt') {
    if (holderBinding === 'member') await requireMemberKey(proof, subject, keys);
    return { holderKey: proof.publicJwk };
  }
  await requireMemberKey(proof, subject, keys);
  return {};
}

/** Throws `invalid_proof` unless the proof is signed by a key of the member's DID `subject`. */
async function requireMemberKey(proof: VerifiedProof, subject: string, keys: KeyLookup): Promise<void> {
  if (proof.did !== undefined) {
    if (proof.did !== subject)
      throw proofError(
        `the key proof is signed by ${proof.did}, not by the member ${subject} the credential names`,
      );
    return;
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
    throw proofError(
      `the jwk is not a key of ${subject}, the DID this credential is bound to: sign the proof with that DID's key`,
    );
}
