/**
 * The ID-token claims of a wallet login, mapped from the verified credentials as the rulebook's
 * `claimMapping` says: a path in a credential of the named type, or a derived value.
 */
import type { Rulebook } from '../rulebook/index.js';
import { type VerifiedCredential, valueAt } from './dcql.js';

export function mapClaims(
  rulebook: Rulebook,
  credentials: readonly VerifiedCredential[],
): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [claim, source] of Object.entries(rulebook.claimMapping)) {
    const credential = credentials.find((c) => c.types.includes(source.credentialType));
    if (!credential) continue;
    if ('derived' in source) {
      // The credential passed the status check just now: the membership is active.
      if (source.derived === 'membership-status') claims[claim] = 'active';
      continue;
    }
    const value = valueAt(credential.document, source.path.split('.'));
    if (value !== undefined) claims[claim] = value;
  }
  return claims;
}
