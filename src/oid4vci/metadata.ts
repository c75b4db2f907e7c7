/**
 * Published metadata.
 *
 * - Credential issuer metadata (OpenID4VCI 1.0 §12.2) at `/.well-known/openid-credential-issuer`:
 *   `credential_issuer` = PUBLIC_URL, the credential, nonce and notification endpoints, the
 *   batch size, display names (en, de) and `credential_configurations_supported`.
 * - Authorization server metadata (RFC 8414) at `/.well-known/oauth-authorization-server`: the
 *   credential issuer is its own authorization server for both grants (§12.3): the
 *   pre-authorized code with anonymous access, and the authorization code with PKCE S256,
 *   `authorization_details` of type `openid_credential` or the configurations' scopes, and
 *   `iss` in the authorization response (RFC 9207), DPoP-bound tokens (RFC 9449,
 *   `dpop_signing_alg_values_supported`), pushed authorization requests (RFC 9126). Its
 *   endpoints are `/oid4vci/par`, `/oid4vci/authorize` and `/oid4vci/token`.
 *
 * Every URL comes from PUBLIC_URL, never from the request.
 */

import { AUTHORIZATION_DETAILS_TYPE } from './authorization-request.js';
import { BATCH_SIZE, type CredentialConfiguration, configurationMetadata } from './configurations.js';
import { DPOP_ALGORITHMS } from './dpop.js';
import { AUTHORIZATION_CODE_GRANT, PRE_AUTHORIZED_GRANT } from './offers.js';

export const ISSUER_METADATA_PATH = '/.well-known/openid-credential-issuer';
export const AS_METADATA_PATH = '/.well-known/oauth-authorization-server';
export const OID4VCI_PATH = '/oid4vci';

export interface Endpoints {
  readonly credentialIssuer: string;
  readonly token: string;
  readonly authorization: string;
  readonly pushedAuthorizationRequest: string;
  readonly credential: string;
  readonly nonce: string;
  readonly notification: string;
  readonly offer: (reference: string) => string;
}

export function endpoints(publicUrl: string): Endpoints {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    credentialIssuer: base,
    token: `${base}${OID4VCI_PATH}/token`,
    authorization: `${base}${OID4VCI_PATH}/authorize`,
    pushedAuthorizationRequest: `${base}${OID4VCI_PATH}/par`,
    credential: `${base}${OID4VCI_PATH}/credential`,
    nonce: `${base}${OID4VCI_PATH}/nonce`,
    notification: `${base}${OID4VCI_PATH}/notification`,
    offer: (reference) => `${base}${OID4VCI_PATH}/offers/${reference}`,
  };
}

export function issuerMetadata(
  urls: Endpoints,
  configurations: readonly CredentialConfiguration[],
): Record<string, unknown> {
  return {
    credential_issuer: urls.credentialIssuer,
    authorization_servers: [urls.credentialIssuer],
    credential_endpoint: urls.credential,
    nonce_endpoint: urls.nonce,
    notification_endpoint: urls.notification,
    batch_credential_issuance: { batch_size: BATCH_SIZE },
    display: [
      { name: 'Data Space Trust Service', locale: 'en' },
      { name: 'Vertrauensdienst des Datenraums', locale: 'de' },
    ],
    credential_configurations_supported: Object.fromEntries(
      configurations.map((c) => [c.id, configurationMetadata(c)]),
    ),
  };
}

export function authorizationServerMetadata(
  urls: Endpoints,
  configurations: readonly CredentialConfiguration[],
  requirePushedRequests: boolean,
): Record<string, unknown> {
  return {
    issuer: urls.credentialIssuer,
    authorization_endpoint: urls.authorization,
    // RFC 9126 §5: pushed authorization requests (HAIP), required when so configured.
    pushed_authorization_request_endpoint: urls.pushedAuthorizationRequest,
    require_pushed_authorization_requests: requirePushedRequests,
    token_endpoint: urls.token,
    grant_types_supported: [AUTHORIZATION_CODE_GRANT, PRE_AUTHORIZED_GRANT],
    'pre-authorized_grant_anonymous_access_supported': true,
    // Wallets are public clients: PKCE S256 binds the code to the wallet that asked.
    token_endpoint_auth_methods_supported: ['none'],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    authorization_details_types_supported: [AUTHORIZATION_DETAILS_TYPE],
    scopes_supported: configurations.map((c) => c.id),
    authorization_response_iss_parameter_supported: true,
    // RFC 9449 §5.1: a token request with a DPoP proof gets a token bound to its key (HAIP).
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
  };
}
