/**
 * `recipient` → `recipient_not_covered`, `recipient_not_active`. Who processes the data must be
 * the controller or one of the recipients the notice named (GDPR Art. 13(1)(e); ISO/IEC TS 27560
 * `recipient_third_parties`), and a named recipient must be an active member now: a recipient
 * suspended, revoked or withdrawn since the consent was given receives nothing (as the
 * controller's own status, checks/controller.ts). The recipient is the question's, or the
 * asking member itself.
 */
import { type CheckContext, type CheckedConsent, type ConsentCheckResult, failed, passed } from '../types.js';

export function checkRecipient(consent: CheckedConsent, context: CheckContext): ConsentCheckResult {
  if (context.recipient === consent.controller) return passed('recipient');
  if (!consent.recipients.includes(context.recipient)) return failed('recipient', 'recipient_not_covered');
  return context.memberActive(context.recipient)
    ? passed('recipient')
    : failed('recipient', 'recipient_not_active');
}
