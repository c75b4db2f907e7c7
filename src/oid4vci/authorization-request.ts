/**
 * Reading a wallet's authorization request (OpenID4VCI 1.0 §5.1, RFC 6749 §4.1.1, RFC 7636,
 * RFC 9396). Wallets are public clients that register nowhere (§5: the wallet's `client_id` is
 * its own), so every parameter is checked here, and the checked values are bound to the code:
 *
 * - `response_type=code`; `client_id` (1–200 printable characters);
 * - `redirect_uri`: an absolute URI without fragment: https, http on a loopback host, or a
 *   private-use scheme (RFC 8252 §7.1), never `javascript:`, `data:`, `file:` and the like;
 * - PKCE: `code_challenge` (43 base64url characters, the size of a SHA-256) with
 *   `code_challenge_method=S256`, required (HAIP; `plain` is refused);
 * - what is asked: `authorization_details` of type `openid_credential` naming a
 *   `credential_configuration_id` (§5.1.1), and/or `scope` values that are configurations'
 *   `scope`s (§5.1.2); at least one configuration;
 * - `resource` (RFC 8707), when sent, is this credential issuer;
 * - `state` (at most 500 characters) and `issuer_state` (§5.1.3, checked by the caller);
 * - `dpop_jkt` (RFC 9449 §10), when sent: a SHA-256 JWK thumbprint; the code is then redeemed
 *   only with a DPoP proof by that key.
 *
 * Codes: `invalid_request`, `unsupported_response_type`, `invalid_scope`,
 * `invalid_authorization_details`, `invalid_target`. Errors are answered, never redirected: the redirect URI is
 * the wallet's own word until a code proves the wallet holds the PKCE verifier.
 */
import type { CredentialConfiguration } from './configurations.js';
import { Oid4vciError } from './errors.js';

export const AUTHORIZATION_DETAILS_TYPE = 'openid_credential';

export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly configurationIds: readonly string[];
  /** Asked with `authorization_details`: the token response names `credential_identifiers`. */
  readonly withDetails: boolean;
  readonly state?: string;
  readonly issuerState?: string;
  /** The thumbprint of the DPoP key the code is bound to (RFC 9449 §10). */
  readonly dpopJkt?: string;
}

const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'blob:', 'vbscript:', 'about:', 'ftp:']);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const hasControlCharacter = (value: string) => [...value].some((c) => (c.codePointAt(0) ?? 0) < 0x20);

function text(query: Record<string, unknown>, name: string, max: number): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max || hasControlCharacter(value))
    throw new Oid4vciError(
      'invalid_request',
      `${name} must be one non-empty string of at most ${max} characters`,
    );
  return value;
}

/** The redirect URI, checked (see the module header); throws `invalid_request`. */
export function checkedRedirectUri(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Oid4vciError('invalid_request', 'redirect_uri must be an absolute URI');
  }
  if (url.hash !== '' || value.includes('#'))
    throw new Oid4vciError('invalid_request', 'redirect_uri must not carry a fragment');
  if (FORBIDDEN_SCHEMES.has(url.protocol))
    throw new Oid4vciError('invalid_request', `redirect_uri must not use ${url.protocol}`);
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname))
    throw new Oid4vciError('invalid_request', 'redirect_uri must be https (http only on a loopback host)');
  if (url.username !== '' || url.password !== '')
    throw new Oid4vciError('invalid_request', 'redirect_uri must not carry user information');
  return value;
}

function detailsOf(
  raw: string,
  configurations: readonly CredentialConfiguration[],
  issuer: string,
): string[] {
  const refuse = (message: string): never => {
    throw new Oid4vciError('invalid_authorization_details', message);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    refuse('authorization_details is not JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 10)
    refuse('authorization_details is an array of 1 to 10 objects');
  return (parsed as unknown[]).map((detail) => {
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
      refuse('each authorization_details entry is an object');
    const entry = detail as Record<string, unknown>;
    if (entry.type !== AUTHORIZATION_DETAILS_TYPE)
      refuse(`this issuer knows authorization_details of type ${AUTHORIZATION_DETAILS_TYPE} only`);
    if (entry.format !== undefined)
      refuse('format is not a parameter of OpenID4VCI 1.0: send credential_configuration_id');
    if (
      entry.locations !== undefined &&
      !(Array.isArray(entry.locations) && entry.locations.length === 1 && entry.locations[0] === issuer)
    )
      refuse(`locations may name this credential issuer only (${issuer})`);
    const id = entry.credential_configuration_id;
    if (typeof id !== 'string' || !configurations.some((c) => c.id === id))
      refuse(`credential_configuration_id ${JSON.stringify(id)} is not a configuration of this issuer`);
    return id as string;
  });
}

/** The checked authorization request of `query` (the endpoint's query string). */
export function readAuthorizationRequest(
  query: Record<string, unknown>,
  configurations: readonly CredentialConfiguration[],
  credentialIssuer: string,
): AuthorizationRequest {
  const responseType = text(query, 'response_type', 20);
  if (responseType !== 'code')
    throw new Oid4vciError(
      'unsupported_response_type',
      'this authorization endpoint answers response_type=code only',
    );
  const clientId = text(query, 'client_id', 200);
  if (!clientId) throw new Oid4vciError('invalid_request', 'client_id is required');
  const redirect = text(query, 'redirect_uri', 2000);
  if (!redirect)
    throw new Oid4vciError('invalid_request', 'redirect_uri is required (wallets register none)');
  const redirectUri = checkedRedirectUri(redirect);
  const method = text(query, 'code_challenge_method', 10);
  const codeChallenge = text(query, 'code_challenge', 128);
  if (!codeChallenge || method !== 'S256')
    throw new Oid4vciError(
      'invalid_request',
      'PKCE is required: code_challenge with code_challenge_method=S256',
    );
  if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge))
    throw new Oid4vciError('invalid_request', 'code_challenge must be the base64url SHA-256 of the verifier');
  const rawDetails = text(query, 'authorization_details', 10_000);
  const fromDetails = rawDetails ? detailsOf(rawDetails, configurations, credentialIssuer) : [];
  const scope = text(query, 'scope', 1000);
  const fromScope = (scope ?? '')
    .split(' ')
    .filter((s) => s.length > 0)
    .map((s) => {
      const configuration = configurations.find((c) => c.id === s);
      if (!configuration)
        throw new Oid4vciError(
          'invalid_scope',
          `scope ${JSON.stringify(s)} names no credential configuration`,
        );
      return configuration.id;
    });
  const configurationIds = [...new Set([...fromDetails, ...fromScope])];
  if (configurationIds.length === 0)
    throw new Oid4vciError(
      'invalid_request',
      'ask for a credential: authorization_details of type openid_credential, or a configuration scope',
    );
  const resource = text(query, 'resource', 2000);
  if (resource !== undefined && resource !== credentialIssuer)
    throw new Oid4vciError(
      'invalid_target',
      `resource may name this credential issuer only (${credentialIssuer})`,
    );
  const state = text(query, 'state', 500);
  const issuerState = text(query, 'issuer_state', 100);
  const dpopJkt = text(query, 'dpop_jkt', 43);
  if (dpopJkt !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(dpopJkt))
    throw new Oid4vciError('invalid_request', 'dpop_jkt must be a base64url SHA-256 JWK thumbprint');
  return {
    clientId,
    redirectUri,
    codeChallenge,
    configurationIds,
    withDetails: fromDetails.length > 0,
    ...(state !== undefined ? { state } : {}),
    ...(issuerState !== undefined ? { issuerState } : {}),
    ...(dpopJkt !== undefined ? { dpopJkt } : {}),
  };
}
