import { ProblemError } from '../http/errors.js';

/**
 * Every refusal of the portal itself, with its HTTP status (docs/portal.md, "Refusals"). The
 * portal renders each as an HTML page that names the code; refusals of the capabilities it
 * calls (the consent register's `forbidden`, `already_withdrawn`...) are rendered the same way
 * with their own codes.
 */
export const PORTAL_ERRORS = {
  /** A form posted from another site (`Origin` or `Sec-Fetch-Site` says so). */
  cross_site_request: 403,
  /** A form posted without the session's CSRF token. */
  csrf_token_missing: 403,
  /** A form posted with a CSRF token that is not this session's. */
  csrf_token_invalid: 403,
  /** A page or form that needs a login, without a live session. */
  login_required: 401,
  /** The provider's answer to a login does not belong to this browser's login (state, PKCE, ID token). */
  login_failed: 400,
  /** The provider refused the login (the user cancelled, or the wallet's answer was refused). */
  login_refused: 403,
  /** The login's credential is not the rulebook's credential for natural persons. */
  not_a_citizen: 403,
  /**
   * The service could not reach its own OpenID provider at PUBLIC_URL (the portal is a relying
   * party over HTTP, like a member's app): PUBLIC_URL must be reachable from the service itself.
   */
  provider_unreachable: 503,
  /** A public page's query parameter that is not one of its values (a filter, a cursor, a language). */
  invalid_query: 400,
  /** A board login whose DID holds no seat on the board (the workspace is the board's). */
  not_on_board: 403,
  /** The wallet that signed a vote is not the board member logged in to the workspace. */
  holder_mismatch: 403,
  /** A signing request (an application, a vote, a motion) unknown, expired, not this browser's, or used. */
  signing_unknown: 400,
  /** A status page address whose application id or key is wrong. */
  application_unknown: 404,
} as const satisfies Readonly<Record<string, number>>;

export type PortalErrorCode = keyof typeof PORTAL_ERRORS;

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Login required',
  403: 'Forbidden',
  404: 'Not found',
  503: 'Service unavailable',
};

/** A refusal of the portal: an HTML page with the code (JSON routes never throw it). */
export class PortalError extends ProblemError {
  constructor(
    override readonly code: PortalErrorCode,
    detail: string,
  ) {
    const status = PORTAL_ERRORS[code];
    super(status, code, TITLES[status] ?? 'Refused', detail);
    this.name = 'PortalError';
  }
}
