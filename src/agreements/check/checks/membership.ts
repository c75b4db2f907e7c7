/**
 * `membership` → `party_not_active`. Both parties must be active members now (rulebook:
 * a suspended member's agreements stop permitting exchanges). The agreement's own state follows
 * membership in the decision's transaction; this check reads the registry as well, so that no
 * path (a state not yet followed, a member revoked) lets an exchange through. Fails closed for a
 * party the registry does not know.
 */
import {
  type AgreementCheckResult,
  type CheckContext,
  type CheckedAgreement,
  failed,
  passed,
} from '../types.js';

export function checkMembership(agreement: CheckedAgreement, context: CheckContext): AgreementCheckResult {
  const active =
    context.memberStatus(agreement.provider) === 'active' &&
    context.memberStatus(agreement.consumer) === 'active';
  return active ? passed('membership') : failed('membership', 'party_not_active');
}
