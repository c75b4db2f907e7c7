/**
 * `parties` → `provider_mismatch`, `consumer_mismatch`, `target_mismatch`. A question that names
 * an agreement and also says whose exchange over which target it is (EDSP: an agreement binds
 * one assigner, one assignee and one target) is answered only when those are the agreement's:
 * naming an agreement one holds never covers another provider's dataset, another consumer, or
 * another target. A question found by provider, consumer and target matches by construction.
 */
import {
  type AgreementCheckResult,
  type CheckContext,
  type CheckedAgreement,
  failed,
  passed,
} from '../types.js';

export function checkParties(agreement: CheckedAgreement, context: CheckContext): AgreementCheckResult {
  const { provider, consumer, target } = context.question;
  if (provider !== undefined && provider !== agreement.provider)
    return failed('parties', 'provider_mismatch');
  if (consumer !== undefined && consumer !== agreement.consumer)
    return failed('parties', 'consumer_mismatch');
  if (target !== undefined && target !== agreement.target) return failed('parties', 'target_mismatch');
  return passed('parties');
}
