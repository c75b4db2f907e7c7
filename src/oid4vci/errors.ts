/**
 * Errors of the OpenID4VCI endpoints, in the OAuth shape `{ error, error_description }` (the
 * one error mapper renders them, src/http/error-mapper.ts). Codes:
 *
 * - authorization endpoint (RFC 6749 §4.1.2.1, RFC 9396 §5, OpenID4VCI 1.0 §5.2):
 *   `invalid_request`, `unsupported_response_type`, `invalid_scope`,
 *   `invalid_authorization_details`, `invalid_target` (RFC 8707), `access_denied` (the wallet login proved no active member);
 *   at the pushed authorization request endpoint also `request_not_supported` (RFC 9101 §6.3: a `request` object);
 * - token endpoint (RFC 6749 §5.2, OpenID4VCI 1.0 §6.3): `invalid_request`, `invalid_grant`,
 *   `unsupported_grant_type`;
 * - credential endpoint (§8.3.1.2): `invalid_credential_request`,
 *   `unknown_credential_configuration`, `invalid_proof`, `invalid_nonce`,
 *   `credential_request_denied`; its access token (RFC 6750 §3.1): `invalid_token` (401);
 * - DPoP proofs (RFC 9449 §5, §7.1, dpop.ts): `invalid_dpop_proof` (400 at the token endpoint,
 *   401 at the credential and notification endpoints);
 * - notification endpoint (§11.3): `invalid_notification_id`, `invalid_notification_request`;
 * - the offer by reference: `invalid_request` (404 when it is unknown or expired).
 */
import { OAuthError } from '../http/errors.js';

export type Oid4vciErrorCode =
  | 'invalid_request'
  | 'request_not_supported'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_authorization_details'
  | 'invalid_target'
  | 'access_denied'
  | 'invalid_token'
  | 'invalid_dpop_proof'
  | 'invalid_credential_request'
  | 'unknown_credential_configuration'
  | 'invalid_proof'
  | 'invalid_nonce'
  | 'credential_request_denied'
  | 'invalid_notification_id'
  | 'invalid_notification_request';

/** The authentication scheme a 401 challenges with (`WWW-Authenticate`, RFC 6750 §3, RFC 9449 §7.1). */
export type TokenScheme = 'Bearer' | 'DPoP';

export class Oid4vciError extends OAuthError {
  constructor(
    readonly code: Oid4vciErrorCode,
    description: string,
    status = code === 'invalid_token' ? 401 : 400,
    /** For a refused access token or DPoP proof: the scheme the challenge names. */
    readonly scheme?: TokenScheme,
  ) {
    super(status, code, description);
    this.name = 'Oid4vciError';
  }
}

/** A key proof refused: `invalid_proof`, or `invalid_nonce` for its `c_nonce` (§8.3.1.2). */
export function proofError(description: string): Oid4vciError {
  return new Oid4vciError('invalid_proof', description);
}
