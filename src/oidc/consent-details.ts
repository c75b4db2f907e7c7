/**
 * The consent request of a member's app: RFC 9396 (OAuth 2.0 Rich Authorization Requests)
 * `authorization_details` of the type this service defines, `dataspace_consent`
 * (docs/consent.md, "The member's app asks for consent"):
 *
 *     [{ "type": "dataspace_consent", "notice_id": "...", "notice_version": 2 }]
 *
 * `notice_version` is optional (default: the latest). Checked at the authorization endpoint
 * (and inside a pushed authorization request or a request object: oidc-provider runs the same
 * check there), each refusal `invalid_authorization_details` (RFC 9396 §5) with a description
 * that starts with its code:
 *
 * - `malformed_details`: a member other than `type`, `notice_id`, `notice_version`; a
 *   `notice_id` that is not a short string; a `notice_version` that is not a whole number from 1;
 * - `one_notice_only`: more than one `dataspace_consent` detail;
 * - `citizen_scope_required`: the scope lacks `openid` or `citizen` (consent is given by a
 *   natural person who logs in with a wallet);
 * - `token_endpoint`: details of this type sent to the token endpoint (they are granted by the
 *   citizen, never asked for later);
 * - from the consent register (ConsentRequestPort): `notice_not_found`,
 *   `notice_of_another_member` (the notice's controller is not the client's member DID),
 *   `controller_not_active`, `notice_version_not_found`, `notice_version_superseded`.
 *
 * What the app gets back (token response and introspection) is the detail the citizen granted:
 * the request's members plus `notice_version`, `consent_id`, the accepted `purposes` and
 * `expires_at` (RFC 9396 §7: the granted details may differ from the requested ones).
 */
import { CITIZEN_SCOPE } from './scopes.js';

export const CONSENT_DETAILS_TYPE = 'dataspace_consent';

/** A consent request as the app sent it, checked. */
export interface ConsentDetailsRequest {
  readonly noticeId: string;
  readonly version?: number;
}

/** What the citizen granted, as the app reads it. */
export interface GrantedConsentDetails {
  readonly type: typeof CONSENT_DETAILS_TYPE;
  readonly notice_id: string;
  readonly notice_version: number;
  readonly consent_id: string;
  readonly purposes: readonly string[];
  readonly expires_at: string;
}

/** The consent register, as far as the provider asks it (wired by the composition root). */
export interface ConsentRequestPort {
  /**
   * Why member `controller` may not ask consent for this notice now (a description starting
   * with its code, see above), or undefined when it may.
   */
  refusal(request: ConsentDetailsRequest & { readonly controller: string }): Promise<string | undefined>;
}

const MEMBERS = new Set(['type', 'notice_id', 'notice_version']);

/** The checked request of one detail, or the description of why it is malformed. */
export function parseConsentDetail(
  detail: Readonly<Record<string, unknown>>,
): ConsentDetailsRequest | string {
  const extra = Object.keys(detail).filter((key) => !MEMBERS.has(key));
  if (extra.length > 0) return `malformed_details: ${CONSENT_DETAILS_TYPE} has no member ${extra.join(', ')}`;
  const id = detail.notice_id;
  if (typeof id !== 'string' || id.length === 0 || id.length > 64)
    return 'malformed_details: notice_id must be a notice id (1 to 64 characters)';
  const version = detail.notice_version;
  if (version === undefined) return { noticeId: id };
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1)
    return 'malformed_details: notice_version must be a whole number from 1';
  return { noticeId: id, version };
}

/** The `dataspace_consent` details of a request's `authorization_details` parameter (JSON text). */
export function consentDetailsOf(parameter: unknown): Readonly<Record<string, unknown>>[] {
  if (typeof parameter !== 'string') return [];
  try {
    const parsed = JSON.parse(parameter) as unknown;
    return Array.isArray(parsed)
      ? parsed.filter(
          (detail): detail is Record<string, unknown> =>
            detail !== null && typeof detail === 'object' && detail.type === CONSENT_DETAILS_TYPE,
        )
      : [];
  } catch {
    return [];
  }
}

/** What the validator reads of oidc-provider's context. */
export interface DetailsContext {
  readonly route: string | undefined;
  readonly scope: unknown;
  readonly authorizationDetails: unknown;
}

/**
 * Checks one `dataspace_consent` detail of client `clientId` (a member DID); returns the
 * refusal's description, or undefined when it may be asked.
 */
export async function consentDetailRefusal(
  context: DetailsContext,
  detail: Readonly<Record<string, unknown>>,
  clientId: string,
  port: ConsentRequestPort,
): Promise<string | undefined> {
  if (context.route === 'token')
    return `token_endpoint: ${CONSENT_DETAILS_TYPE} details are asked for at the authorization endpoint only`;
  const parsed = parseConsentDetail(detail);
  if (typeof parsed === 'string') return parsed;
  if (consentDetailsOf(context.authorizationDetails).length > 1)
    return `one_notice_only: one ${CONSENT_DETAILS_TYPE} detail per request`;
  const scopes = typeof context.scope === 'string' ? context.scope.split(' ') : [];
  if (!scopes.includes('openid') || !scopes.includes(CITIZEN_SCOPE))
    return `citizen_scope_required: ${CONSENT_DETAILS_TYPE} needs the scope openid ${CITIZEN_SCOPE}`;
  return port.refusal({ ...parsed, controller: clientId });
}
