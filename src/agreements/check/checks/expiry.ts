/**
 * `expiry` → `expired`, `before_activation`. An agreement with an end (`endsAt`, part of the
 * signed terms) permits nothing from that instant on, whether or not the expiry job has recorded
 * it yet: the check compares with the clock (or the question's `at`) itself. Nor does it cover
 * anything before it was concluded: a question `at` a time before the second signature (its
 * activation) is refused, so coverage is never back-dated. (Only an explicit `at`: a check
 * "now" on a replica whose clock is a little behind the activating one's is not refused.)
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
  if (expired) return failed('expiry', 'expired');
  const asked = context.question.at;
  if (
    asked !== undefined &&
    agreement.activatedAt !== null &&
    asked.getTime() < Date.parse(agreement.activatedAt)
  )
    return failed('expiry', 'before_activation');
  return passed('expiry');
}
