/**
 * `controller` → `controller_not_active`. Consent was given to a member of the data space; while
 * that member is suspended, or once it is revoked or has withdrawn, its consents permit nothing
 * (issue 11 item 1: "a suspended or revoked member's notices cannot gather new consent", and the
 * rulebook's §6 on suspension). The registry is read afresh for each check.
 */
import { type CheckContext, type CheckedConsent, type ConsentCheckResult, failed, passed } from '../types.js';

export function checkController(consent: CheckedConsent, context: CheckContext): ConsentCheckResult {
  return context.memberActive(consent.controller)
    ? passed('controller')
    : failed('controller', 'controller_not_active');
}
