/**
 * `recipient` → `recipient_not_covered`. Who processes the data must be the controller or one of
 * the recipients the notice named (GDPR Art. 13(1)(e); ISO/IEC TS 27560
 * `recipient_third_parties`). The recipient is the question's, or the asking member itself.
 */
import { type CheckContext, type CheckedConsent, type ConsentCheckResult, failed, passed } from '../types.js';

export function checkRecipient(consent: CheckedConsent, context: CheckContext): ConsentCheckResult {
  const covered = context.recipient === consent.controller || consent.recipients.includes(context.recipient);
  return covered ? passed('recipient') : failed('recipient', 'recipient_not_covered');
}
