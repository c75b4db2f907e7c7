/**
 * A natural person's wallet login (the `citizen` scope): what the account keeps of the verified
 * credential. Only the issuer, the type, the holder DID and the identifier claim the rulebook
 * names (`consent.naturalPersons.identifierClaim`) are read; every other claim of the credential
 * (name, birth date, address) is left where it was, in the presentation, which is not stored.
 */
import { OAuthError } from '../http/index.js';
import type { NaturalPersonIdentity } from '../oidc/index.js';
import type { NaturalPersonLogin } from '../rulebook/index.js';
import { type VerifiedCredential, valueAt } from './dcql.js';

/** Longest identifier kept (the consent register refuses longer ones as well). */
const MAX_IDENTIFIER = 100;

/**
 * The identity of a natural person's login; throws OAuthError `access_denied` when the
 * credential lacks the identifier the rulebook names (the DCQL match requires it already).
 */
export function naturalPersonOf(
  login: NaturalPersonLogin,
  credential: VerifiedCredential,
): NaturalPersonIdentity {
  const identity = { issuer: credential.issuer, type: login.credentialType, holder: credential.subject };
  if (login.identifierClaim === undefined) return identity;
  const value = valueAt(credential.document, login.identifierClaim.split('.'));
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_IDENTIFIER) {
    throw new OAuthError(
      400,
      'access_denied',
      `query_not_satisfied: the credential carries no usable ${login.identifierClaim}`,
    );
  }
  return { ...identity, identifier: { claim: login.identifierClaim, value } };
}
