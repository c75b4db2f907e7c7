import { ProblemError } from '../http/errors.js';

/**
 * Every refusal of the agreement register, with its HTTP status. docs/agreements.md lists each
 * with when it happens. The check's answer codes (`no_agreement`, `not_active`, ...) are not
 * refusals but reasons inside a 200 answer (check/types.ts). A refusal changes nothing.
 */
export const AGREEMENT_ERRORS = {
  /** Malformed input: a field missing, of the wrong type or out of bounds (the detail names it). */
  invalid_request: 400,
  /** The policy is not valid ODRL of the supported profile (the detail names the path). */
  invalid_policy: 400,
  /** The policy uses a term outside the supported profile (`term` names it). */
  unsupported_policy_term: 400,
  /** The policy's canonical form is longer than MAX_POLICY_CHARS. */
  policy_too_large: 400,
  /** A proposed agreement is not within the offer (`term` names what widens it). */
  not_within_offer: 400,
  /** A signed statement that is not the expected action, or names another offer/agreement. */
  statement_mismatch: 400,
  /** `endsAt` is not after now. */
  invalid_period: 400,
  invalid_page_size: 400,
  /** The member is not a member of the data space. */
  not_a_member: 403,
  /** The member's (or the other party's) membership is suspended, revoked or withdrawn. */
  member_not_active: 403,
  /** The provider's roles are on no supply side, or the consumer's on no demand side (rulebook roles' sides). */
  role_not_allowed: 403,
  /** A new version of another member's offer. */
  not_offer_provider: 403,
  /** Signing, terminating, reading or checking an agreement by a member that is not a party to it. */
  not_a_party: 403,
  /** `record: true` from the provider: uses are the consumer's to count (one counter, one side). */
  not_the_consumer: 403,
  offer_not_found: 404,
  offer_version_not_found: 404,
  agreement_not_found: 404,
  /** Accepting a version of an offer that a newer version replaced. */
  offer_superseded: 409,
  /** A signature over another hash than the agreement's. */
  hash_mismatch: 409,
  /** This party signed already. */
  already_signed: 409,
  /** A statement's jti used before (a replayed signature or termination). */
  jti_reused: 409,
  /** Signing an agreement that is no longer proposed. */
  not_proposed: 409,
  /** Terminating an agreement that already ended. */
  already_ended: 409,
  /** The credential of an agreement that was never activated. */
  no_credential: 409,
  /** The member has AGREEMENT_MAX_OPEN_PROPOSALS proposed agreements open already (limits.ts). */
  too_many_open_proposals: 409,
  /** The member's offers hold AGREEMENT_MAX_OFFER_VERSIONS versions already (limits.ts). */
  too_many_offer_versions: 409,
  /** An idempotency key (or statement jti) reused for a different request. */
  idempotency_conflict: 409,
} as const satisfies Readonly<Record<string, number>>;

export type AgreementErrorCode = keyof typeof AGREEMENT_ERRORS;

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
};

/** A refusal of the agreement register: problem+json with a stable code; nothing was changed. */
export class AgreementError extends ProblemError {
  constructor(
    override readonly code: AgreementErrorCode,
    detail: string,
    extensions?: Record<string, unknown>,
  ) {
    const status = AGREEMENT_ERRORS[code];
    super(status, code, TITLES[status] ?? 'Refused', detail, extensions);
    this.name = 'AgreementError';
  }
}
