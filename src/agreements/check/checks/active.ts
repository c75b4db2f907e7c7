/**
 * `active` → `not_active`. Only an active agreement permits exchanges: a proposed one lacks a
 * signature, a suspended one has a suspended party, a terminated one ended (issue 13 item 3).
 * The state is read from the database on every check, never cached, so a suspension decided on
 * any replica counts from its commit on. (Expired agreements are the `expiry` check's.)
 */
import { type AgreementCheckResult, type CheckedAgreement, failed, passed } from '../types.js';

export function checkActive(agreement: CheckedAgreement): AgreementCheckResult {
  return agreement.status === 'active' || agreement.status === 'expired'
    ? passed('active')
    : failed('active', 'not_active');
}
