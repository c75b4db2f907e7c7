import { ProblemError } from '../http/errors.js';

/** Every refusal of the events capability, each with its HTTP status (docs/events.md lists them). */
export const EVENT_ERRORS = {
  invalid_request: 400,
  invalid_url: 400,
  insecure_transport: 400,
  userinfo_not_allowed: 400,
  ip_literal_not_allowed: 400,
  private_address: 400,
  invalid_types: 400,
  unknown_event_type: 400,
  invalid_after: 400,
  invalid_before: 400,
  invalid_limit: 400,
  invalid_state: 400,
  not_found: 404,
  subscription_exists: 409,
  too_many_subscriptions: 409,
} as const;

export type EventErrorCode = keyof typeof EVENT_ERRORS;

const TITLES: Record<number, string> = { 400: 'Bad request', 404: 'Not found', 409: 'Conflict' };

/** A refused request of the events API: problem+json with a stable code; nothing changes. */
export class EventError extends ProblemError {
  constructor(
    override readonly code: EventErrorCode,
    detail: string,
  ) {
    const status = EVENT_ERRORS[code];
    super(status, code, TITLES[status] ?? 'Refused', detail);
    this.name = 'EventError';
  }
}

/**
 * An event the appending capability built wrongly (an unknown type, an empty audience, data
 * that is not plain JSON or too large): a programming error of the caller, so a plain Error
 * that rolls its transaction back, never a client-facing refusal.
 */
export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}
