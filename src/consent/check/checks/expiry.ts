/**
 * `expiry` → `expired`. A consent lasts the retention period its notice states (at most the
 * rulebook's consent.maxRetentionDays); from its `expiresAt` on it permits nothing (DPV
 * dpv:ConsentExpired), whether or not the expiry job has recorded the expiry yet: the check
 * compares with the clock itself.
 */
import { type CheckContext, type CheckedConsent, type ConsentCheckResult, failed, passed } from '../types.js';

export function checkExpiry(consent: CheckedConsent, context: CheckContext): ConsentCheckResult {
  const expired = consent.status === 'expired' || context.now.getTime() >= Date.parse(consent.expiresAt);
  return expired ? failed('expiry', 'expired') : passed('expiry');
}
