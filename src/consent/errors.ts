import { ProblemError } from '../http/errors.js';

/**
 * Every refusal of the consent register, with its HTTP status. docs/consent.md lists each with
 * when it happens; the check's answer codes (`no_consent`, `withdrawn`, ...) are not refusals
 * but reasons inside a 200 answer (see check/reasons.ts).
 */
export const CONSENT_ERRORS = {
  /** Malformed input: a field missing, of the wrong type or out of bounds (the detail names it). */
  invalid_request: 400,
  /** The notice is malformed (the detail names the field). */
  invalid_notice: 400,
  /** The notice's text is longer than MAX_NOTICE_TEXT characters. */
  text_too_long: 400,
  /** A purpose, data category or legal basis the rulebook's vocabulary does not hold. */
  unknown_purpose: 400,
  unknown_data_category: 400,
  unknown_legal_basis: 400,
  /** A special category of personal data needs dpv:ExplicitlyExpressedConsent. */
  explicit_consent_required: 400,
  /** The retention period exceeds the rulebook's maxRetentionDays. */
  retention_too_long: 400,
  /** A recipient is not a member, or not an active one. */
  recipient_not_member: 400,
  recipient_not_active: 400,
  /** A signed statement that is not a notice publication, or names another notice. */
  statement_mismatch: 400,
  /** Giving consent to none of the notice's purposes. */
  no_purpose: 400,
  /** A chosen purpose the notice does not ask for. */
  purpose_not_in_notice: 400,
  invalid_page_size: 400,
  /** The controller is not a member of the data space. */
  not_a_member: 403,
  /** The controller's membership is suspended, revoked or withdrawn. */
  controller_not_active: 403,
  /** The member's roles may not publish notices (rulebook consent.noticePublishers). */
  role_may_not_publish: 403,
  /** A new version of another member's notice. */
  not_notice_controller: 403,
  /** Withdrawing (or reading) a consent the citizen did not give. */
  forbidden: 403,
  /** A check about a consent the caller is neither the controller nor a recipient of. */
  not_a_party: 403,
  notice_not_found: 404,
  notice_version_not_found: 404,
  consent_not_found: 404,
  /** Consent to a version older than the notice's latest. */
  notice_version_superseded: 409,
  /** The notice hash the citizen was shown is not the version's hash. */
  notice_hash_mismatch: 409,
  already_withdrawn: 409,
  already_expired: 409,
  /** The consent was replaced by a newer one to the same notice. */
  consent_superseded: 409,
  /** An idempotency key (or statement jti) reused for a different request. */
  idempotency_conflict: 409,
  /** The rulebook in force has no consent section (a version before 1.1.0). */
  consent_not_enabled: 409,
} as const satisfies Readonly<Record<string, number>>;

export type ConsentErrorCode = keyof typeof CONSENT_ERRORS;

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
};

/** A refusal of the consent register: problem+json with a stable code; nothing was changed. */
export class ConsentError extends ProblemError {
  constructor(
    override readonly code: ConsentErrorCode,
    detail: string,
    extensions?: Record<string, unknown>,
  ) {
    const status = CONSENT_ERRORS[code];
    super(status, code, TITLES[status] ?? 'Refused', detail, extensions);
    this.name = 'ConsentError';
  }
}
