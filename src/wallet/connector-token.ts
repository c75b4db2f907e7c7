/**
 * A connector access token for the member whose DID the wallet holds: the OAuth 2.0 client
 * credentials grant at the trust service's own OpenID Connect provider, the client being the
 * member's DID (no registration, no secret) and its authentication a `private_key_jwt` client
 * assertion (RFC 7523 §2.2) signed with the wallet's DID key.
 *
 * The assertion follows draft-ietf-oauth-rfc7523bis: `aud` is the authorization server's issuer
 * identifier as a single string (not the token endpoint, which that draft forbids and which the
 * service refuses for member clients), `iss` = `sub` = the client id, a fresh `jti`, `exp` 60 s
 * ahead. The issuer and token endpoint come from the provider's discovery document, which must
 * name exactly `<service>/oidc` as issuer and a token endpoint below it: the assertion is never
 * sent anywhere else. No redirect is followed; OAuth errors become ServiceError with the OAuth
 * `error` as `code` (e.g. `invalid_client` for a DID that is not an active member); a 503 (a
 * replica still starting) says that the service is not ready, with its code (notReadyError).
 */
import { randomUUID } from 'node:crypto';
import { notReadyError, ServiceError, WalletError } from './errors.js';
import { DEFAULT_TIMEOUT_MS, ServiceClient } from './service-client.js';
import type { Wallet } from './wallet.js';

/** How long the client assertion is valid (it is single use; the service accepts at most 300 s). */
export const CLIENT_ASSERTION_LIFETIME_SECONDS = 60;

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ConnectorTokenRequest {
  readonly wallet: Wallet;
  /** Where the service answers, e.g. `https://trust.city.example` (its PUBLIC_URL). */
  readonly service: string;
  /** The connector scopes to ask for (`notices`, `consents:check`, `events`, `agreements`). */
  readonly scopes: readonly string[];
  /** Per request, connect to last byte (default 10 000 ms). */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
}

/** The token response (RFC 6749 §5.1), with the expiry as a date. */
export interface ConnectorToken {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresIn: number;
  /** ISO 8601. */
  readonly expiresAt: string;
  /** The scopes granted (the service drops any it does not know). */
  readonly scopes: readonly string[];
}

type Json = Record<string, unknown>;

async function exchange(
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ status: number; body: Json }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new ServiceError(0, 'unreachable', `${url}: ${(cause as Error).message}`, undefined, { cause });
  }
  if (response.status >= 300 && response.status < 400) {
    throw new ServiceError(response.status, 'unreachable', `${url} redirected; redirects are not followed`);
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = undefined;
  }
  const unavailable = notReadyError(`${init.method ?? 'GET'} ${url}`, response, body);
  if (unavailable) throw unavailable;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ServiceError(
      response.status,
      response.ok ? 'invalid_response' : 'http_error',
      `${url}: not JSON`,
    );
  }
  return { status: response.status, body: body as Json };
}

/** Asks the service for a connector access token; see the module notes. */
export async function requestConnectorToken(request: ConnectorTokenRequest): Promise<ConnectorToken> {
  const { wallet } = request;
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = request.now ?? (() => new Date());
  const scopes = [...new Set(request.scopes)];
  if (scopes.length === 0 || scopes.some((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) {
    throw new TypeError('ask for at least one scope; a scope is a token without spaces or quotes');
  }
  const issuer = `${new ServiceClient(request.service).baseUrl}/oidc`;
  const discovery = await exchange(
    `${issuer}/.well-known/openid-configuration`,
    { headers: { accept: 'application/json' } },
    timeoutMs,
  );
  if (discovery.status !== 200) {
    const code = typeof discovery.body.error === 'string' ? discovery.body.error : 'http_error';
    throw new ServiceError(
      discovery.status,
      code,
      `GET ${issuer}/.well-known/openid-configuration answered ${discovery.status} ${code}`,
      discovery.body,
    );
  }
  const tokenEndpoint = discovery.body.token_endpoint;
  if (
    discovery.body.issuer !== issuer ||
    typeof tokenEndpoint !== 'string' ||
    !tokenEndpoint.startsWith(`${issuer}/`)
  ) {
    throw new ServiceError(
      discovery.status,
      'invalid_response',
      discovery.body.issuer !== issuer
        ? `the service at ${issuer} names its issuer ${JSON.stringify(discovery.body.issuer)}, not this address: give its PUBLIC_URL as --service`
        : `${issuer} names no token endpoint below it (${JSON.stringify(tokenEndpoint)})`,
    );
  }
  const iat = Math.floor(now().getTime() / 1000);
  const assertion = await wallet.sign(
    {
      iss: wallet.did,
      sub: wallet.did,
      aud: issuer,
      jti: randomUUID(),
      iat,
      exp: iat + CLIENT_ASSERTION_LIFETIME_SECONDS,
    },
    { typ: 'JWT' },
  );
  const answer = await exchange(
    tokenEndpoint,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: wallet.did,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion,
        scope: scopes.join(' '),
      }),
    },
    timeoutMs,
  );
  const { body } = answer;
  if (answer.status !== 200) {
    const code = typeof body.error === 'string' ? body.error : 'http_error';
    const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
    throw new ServiceError(answer.status, code, `the token endpoint answered ${code}${description}`, body);
  }
  if (
    typeof body.access_token !== 'string' ||
    typeof body.token_type !== 'string' ||
    typeof body.expires_in !== 'number'
  ) {
    throw new ServiceError(
      200,
      'invalid_response',
      'the token response lacks access_token, token_type or expires_in',
    );
  }
  const granted = typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : [];
  // The provider drops scopes it does not know instead of refusing: a misspelt scope would
  // otherwise give a token that every route refuses later with insufficient_scope.
  const missing = scopes.filter((scope) => !granted.includes(scope));
  if (missing.length > 0) {
    throw new WalletError(
      'scope_not_granted',
      `the service did not grant ${missing.join(', ')} (connector scopes: notices, consents:check, events, agreements)`,
    );
  }
  return {
    accessToken: body.access_token,
    tokenType: body.token_type,
    expiresIn: body.expires_in,
    expiresAt: new Date((iat + body.expires_in) * 1000).toISOString(),
    scopes: granted,
  };
}
