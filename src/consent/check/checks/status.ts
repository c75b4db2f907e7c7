/**
 * `status` → `withdrawn`. A consent the citizen withdrew permits nothing from that instant
 * (GDPR Art. 7(3); DPV dpv:ConsentWithdrawn is a status invalid for processing). The state is
 * read from the database on every check, never cached, so a withdrawal counts at once.
 * (Expired consents are the `expiry` check's; replaced ones are not read at all.)
 */
import { type CheckedConsent, type ConsentCheckResult, failed, passed } from '../types.js';

export function checkStatus(consent: CheckedConsent): ConsentCheckResult {
  return consent.status === 'withdrawn' ? failed('status', 'withdrawn') : passed('status');
}
