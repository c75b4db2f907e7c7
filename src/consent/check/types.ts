/**
 * The connector check (issue 11 item 6): "may I process this citizen's data for this purpose,
 * this category, for this recipient, right now?" The consents found for the subject go through
 * an ordered list of small named checks (checks/*.ts), as credentials go through
 * src/credentials/verify/checks; the answer lists every failing check's code.
 */

/** Why processing is not permitted; stable, documented in docs/consent.md. */
export type ConsentReasonCode =
  | 'no_consent'
  | 'withdrawn'
  | 'expired'
  | 'controller_not_active'
  | 'purpose_not_covered'
  | 'category_not_covered'
  | 'recipient_not_covered'
  | 'recipient_not_active';

export type ConsentCheckName = 'status' | 'expiry' | 'controller' | 'purpose' | 'category' | 'recipient';

/** The question a member's connector asks. */
export interface ConsentQuestion {
  /** The pairwise identifier under which the controller knows the citizen. */
  readonly subject: string;
  /** A DPV purpose, e.g. `dpv:ServiceProvision`. */
  readonly purpose: string;
  /** A DPV personal-data category, e.g. `pd:Location`. */
  readonly dataCategory: string;
  /** Who would process the data: the controller or one of its named recipients (default: the caller). */
  readonly recipient?: string;
}

/** A consent as the check reads it: the current-state columns of one record. */
export interface CheckedConsent {
  readonly id: string;
  readonly controller: string;
  readonly purposes: readonly string[];
  readonly dataCategories: readonly string[];
  readonly recipients: readonly string[];
  readonly status: 'given' | 'withdrawn' | 'expired';
  readonly expiresAt: string;
}

/** What each check may consult besides the consent. */
export interface CheckContext {
  readonly question: ConsentQuestion;
  /** The member whose connector asks (authenticated, active). */
  readonly caller: string;
  /** Who would process the data: `question.recipient`, else the caller. */
  readonly recipient: string;
  readonly now: Date;
  /** Whether each controller concerned, and the recipient, is an active member, read afresh for this check. */
  readonly memberActive: (did: string) => boolean;
}

export interface ConsentCheckResult {
  readonly check: ConsentCheckName;
  readonly result: 'passed' | 'failed';
  readonly code?: ConsentReasonCode;
}

export type ConsentCheck = (consent: CheckedConsent, context: CheckContext) => ConsentCheckResult;

export const passed = (check: ConsentCheckName): ConsentCheckResult => ({ check, result: 'passed' });
export const failed = (check: ConsentCheckName, code: ConsentReasonCode): ConsentCheckResult => ({
  check,
  result: 'failed',
  code,
});
