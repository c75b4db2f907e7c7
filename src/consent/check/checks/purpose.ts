/**
 * `purpose` → `purpose_not_covered`. Consent is specific (GDPR Art. 4(11), 6(1)(a)): it covers
 * exactly the purposes the citizen ticked, a subset of the notice's. Terms compare exactly as
 * DPV compact IRIs; a broader or narrower DPV purpose is not the same purpose.
 */
import { type CheckContext, type CheckedConsent, type ConsentCheckResult, failed, passed } from '../types.js';

export function checkPurpose(consent: CheckedConsent, context: CheckContext): ConsentCheckResult {
  return consent.purposes.includes(context.question.purpose)
    ? passed('purpose')
    : failed('purpose', 'purpose_not_covered');
}
