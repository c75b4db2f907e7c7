/**
 * `expiry` → `expired`. An agreement with an end (`endsAt`, part of the signed terms) permits
 * nothing from that instant on, whether or not the expiry job has recorded it yet: the check
 * compares with the clock (or the question's `at`) itself.
 */
import {
  type AgreementCheckResult,
  type CheckContext,
  type CheckedAgreement,
  failed,
  passed,
} from '../types.js';

export function checkExpiry(agreement: CheckedAgreement, context: CheckContext): AgreementCheckResult {
  const expired =
    agreement.status === 'expired' ||
    (agreement.endsAt !== null && context.now.getTime() >= Date.parse(agreement.endsAt));
  return expired ? failed('expiry', 'expired') : passed('expiry');
}
