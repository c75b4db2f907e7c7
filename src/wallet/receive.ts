/**
 * Receiving credentials (OpenID4VCI 1.0, the wallet's side, pre-authorized code flow): read the
 * `openid-credential-offer://` URL (the offer by value, or by reference through
 * `credential_offer_uri`), read the issuer's metadata and its authorization server's, redeem the
 * pre-authorized code with the transaction code, fetch a c_nonce, sign a `jwt` key proof with
 * the wallet's DID key (`kid`), store the credentials and tell the issuer
 * (`credential_accepted`, or `credential_failure` when they cannot be stored).
 *
 * `jwt_vc_json`, `vc+jwt` and `dc+sd-jwt` configurations are received: the wallet stores JWT
 * credentials about its own DID, and SD-JWT VCs bound to its key (with the credential type
 * their vct stands for at this issuer). http is allowed only for loopback hosts (development).
 */
import { type DpopKey, ephemeralDpopKey } from './dpop.js';
import { notReadyError, ServiceError, WalletError } from './errors.js';
import type { Wallet } from './wallet.js';

const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
const STORABLE_FORMATS = new Set(['jwt_vc_json', 'vc+jwt', 'dc+sd-jwt']);
const MAX_RESPONSE_BYTES = 256 * 1024;

export interface ReceiveOptions {
  /** The transaction code given with the offer (on another channel). */
  readonly txCode?: string;
  /** The configuration to ask for (default: the first offered one the wallet can store). */
  readonly configurationId?: string;
  readonly fetch?: typeof fetch;
}

export interface ReceiveResult {
  readonly credentialIssuer: string;
  readonly configurationId: string;
  /** The ids (or types) of the stored credentials. */
  readonly stored: readonly string[];
}

export interface Offer {
  readonly credential_issuer: string;
  readonly credential_configuration_ids: readonly string[];
  readonly grants?: Record<
    string,
    { 'pre-authorized_code'?: string; tx_code?: unknown; issuer_state?: unknown }
  >;
}

function invalid(message: string): never {
  throw new WalletError('invalid_credential_offer', message);
}

/** Refuses URLs that are not https, except http on a loopback host. */
export function checkedUrl(value: unknown, what: string): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    invalid(`${what} is not a URL`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    invalid(`${what} must be https (http only on a loopback host)`);
  return url;
}

export async function exchange(
  fetcher: typeof fetch,
  url: string,
  init: RequestInit,
  what: string,
): Promise<Record<string, unknown> | undefined> {
  let response: Response;
  try {
    response = await fetcher(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new ServiceError(0, 'unreachable', `${what}: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  const text = await response.text();
  if (text.length > MAX_RESPONSE_BYTES)
    throw new ServiceError(response.status, 'invalid_response', `${what}: too large`);
  let body: Record<string, unknown> | undefined;
  try {
    body = text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  const unavailable = notReadyError(`${what} (${init.method ?? 'GET'} ${url})`, response, body);
  if (unavailable) throw unavailable;
  if (!response.ok) {
    const code =
      typeof body?.error === 'string'
        ? body.error
        : typeof body?.code === 'string'
          ? body.code
          : 'http_error';
    const description = typeof body?.error_description === 'string' ? `: ${body.error_description}` : '';
    throw new ServiceError(response.status, code, `${what} refused (${code})${description}`, body);
  }
  return body;
}

/** The offer of an `openid-credential-offer://` URL, fetched when it is by reference. */
export async function resolveOffer(url: string, fetcher: typeof fetch = fetch): Promise<Offer> {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    invalid('not a URL');
  }
  const byValue = parsed.searchParams.get('credential_offer');
  const byReference = parsed.searchParams.get('credential_offer_uri');
  if ((byValue === null) === (byReference === null))
    invalid('the URL must carry exactly one of credential_offer and credential_offer_uri');
  let offer: unknown;
  if (byValue !== null) {
    try {
      offer = JSON.parse(byValue);
    } catch {
      invalid('credential_offer is not JSON');
    }
  } else {
    offer = await exchange(
      fetcher,
      checkedUrl(byReference, 'credential_offer_uri').href,
      {},
      'the credential offer',
    );
  }
  const candidate = offer as Partial<Offer> | undefined;
  if (
    typeof candidate?.credential_issuer !== 'string' ||
    !Array.isArray(candidate.credential_configuration_ids) ||
    candidate.credential_configuration_ids.length === 0
  )
    invalid('the offer names no credential_issuer or no credential_configuration_ids');
  checkedUrl(candidate.credential_issuer, 'credential_issuer');
  return candidate as Offer;
}

/** The well-known URL of `base` (RFC 8414 §3.1: inserted between the host and the path). */
export function wellKnown(base: string, name: string): string {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/${name}${path}`;
}

export async function receiveCredential(
  wallet: Wallet,
  offerUrl: string,
  options: ReceiveOptions = {},
): Promise<ReceiveResult> {
  const fetcher = options.fetch ?? fetch;
  const offer = await resolveOffer(offerUrl, fetcher);
  const grant = offer.grants?.[PRE_AUTHORIZED_GRANT];
  const code = grant?.['pre-authorized_code'];
  if (typeof code !== 'string')
    invalid('the offer has no pre-authorized code (only that grant is supported)');
  if (grant?.tx_code !== undefined && options.txCode === undefined)
    invalid('the offer asks for a transaction code: pass it with --tx-code');
  const issuer = offer.credential_issuer;
  const metadata =
    (await exchange(fetcher, wellKnown(issuer, 'openid-credential-issuer'), {}, 'the issuer metadata')) ?? {};
  if (metadata.credential_issuer !== issuer) invalid('the issuer metadata is of another credential_issuer');
  const configurations = (metadata.credential_configurations_supported ?? {}) as Record<
    string,
    { format?: string }
  >;
  const configurationId =
    options.configurationId ??
    offer.credential_configuration_ids.find((id) => STORABLE_FORMATS.has(String(configurations[id]?.format)));
  if (configurationId === undefined || !offer.credential_configuration_ids.includes(configurationId))
    invalid('the offer has no configuration this wallet can store (jwt_vc_json, vc+jwt, dc+sd-jwt)');
  // Refused before the code is redeemed: a credential the wallet cannot store would use up the
  // one-time offer for nothing.
  const format = String(configurations[configurationId]?.format);
  if (!STORABLE_FORMATS.has(format))
    invalid(
      `this wallet cannot store ${format} credentials (configuration ${configurationId}); the offer stays open`,
    );
  const servers = metadata.authorization_servers;
  const authorizationServer = Array.isArray(servers) && typeof servers[0] === 'string' ? servers[0] : issuer;
  const asMetadata =
    (await exchange(
      fetcher,
      wellKnown(authorizationServer, 'oauth-authorization-server'),
      {},
      'the authorization server metadata',
    )) ?? {};
  const stored = await redeemGrant(wallet, fetcher, metadata, {
    tokenEndpoint: checkedUrl(asMetadata.token_endpoint, 'token_endpoint').href,
    form: {
      grant_type: PRE_AUTHORIZED_GRANT,
      'pre-authorized_code': code,
      ...(options.txCode !== undefined ? { tx_code: options.txCode } : {}),
    },
    configurationId,
  });
  return { credentialIssuer: issuer, configurationId, stored };
}

/**
 * Any grant's last steps: the token request (`form` at `tokenEndpoint`) with a DPoP proof of a
 * fresh key (RFC 9449: a server that does not know DPoP ignores it and answers a Bearer token),
 * then the credentials of `configurationId` with that token (obtainCredentials). Returns what
 * was stored.
 */
export async function redeemGrant(
  wallet: Wallet,
  fetcher: typeof fetch,
  metadata: Record<string, unknown>,
  grant: { tokenEndpoint: string; form: Record<string, string>; configurationId: string },
): Promise<string[]> {
  const dpop = ephemeralDpopKey();
  const token = await exchange(
    fetcher,
    grant.tokenEndpoint,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        dpop: dpop.proof('POST', grant.tokenEndpoint),
      },
      body: new URLSearchParams(grant.form).toString(),
    },
    'the token request',
  );
  const accessToken = token?.access_token;
  if (typeof accessToken !== 'string')
    throw new ServiceError(200, 'invalid_response', 'the token response has no access_token');
  const tokenType = typeof token?.token_type === 'string' ? token.token_type.toLowerCase() : 'bearer';
  if (tokenType !== 'bearer' && tokenType !== 'dpop')
    throw new ServiceError(200, 'invalid_response', `the token response has token_type ${tokenType}`);
  return obtainCredentials(wallet, fetcher, metadata, {
    accessToken,
    ...(tokenType === 'dpop' ? { dpop } : {}),
    configurationId: grant.configurationId,
    ...(token ? { tokenResponse: token } : {}),
  });
}

/**
 * With an access token: a c_nonce, the wallet's key proof (its DID key, `kid`), the credential
 * request (by `credential_identifier` when the token response named identifiers, §8.2), the
 * credentials stored and the issuer told (`credential_accepted` or `credential_failure`).
 * Returns the ids (or types) of the stored credentials.
 */
export async function obtainCredentials(
  wallet: Wallet,
  fetcher: typeof fetch,
  metadata: Record<string, unknown>,
  grant: {
    accessToken: string;
    /** The key a DPoP-bound token is bound to; absent for a Bearer token. */
    dpop?: DpopKey;
    configurationId: string;
    tokenResponse?: Record<string, unknown>;
  },
): Promise<string[]> {
  const { accessToken, configurationId } = grant;
  const issuer = metadata.credential_issuer as string;
  const details = grant.tokenResponse?.authorization_details;
  const identifier = Array.isArray(details)
    ? (details as { credential_configuration_id?: unknown; credential_identifiers?: unknown }[]).find(
        (detail) => detail.credential_configuration_id === configurationId,
      )?.credential_identifiers
    : undefined;
  const requested =
    Array.isArray(identifier) && typeof identifier[0] === 'string'
      ? { credential_identifier: identifier[0] }
      : { credential_configuration_id: configurationId };
  const nonceEndpoint = checkedUrl(metadata.nonce_endpoint, 'nonce_endpoint').href;
  const nonce = (await exchange(fetcher, nonceEndpoint, { method: 'POST' }, 'the nonce request'))?.c_nonce;
  if (typeof nonce !== 'string')
    throw new ServiceError(200, 'invalid_response', 'the nonce response has no c_nonce');
  const proof = await wallet.sign(
    { aud: issuer, iat: Math.floor(Date.now() / 1000), nonce },
    { typ: 'openid4vci-proof+jwt' },
  );
  // A DPoP-bound token goes with a fresh proof per request (RFC 9449 §7.1).
  const authorized = (url: string): Record<string, string> =>
    grant.dpop
      ? {
          authorization: `DPoP ${accessToken}`,
          dpop: grant.dpop.proof('POST', url, accessToken),
          'content-type': 'application/json',
        }
      : { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
  const credentialEndpoint = checkedUrl(metadata.credential_endpoint, 'credential_endpoint').href;
  const issued = await exchange(
    fetcher,
    credentialEndpoint,
    {
      method: 'POST',
      headers: authorized(credentialEndpoint),
      body: JSON.stringify({ ...requested, proofs: { jwt: [proof] } }),
    },
    'the credential request',
  );
  const credentials = issued?.credentials;
  if (!Array.isArray(credentials) || credentials.length === 0)
    throw new ServiceError(200, 'invalid_response', 'the credential response has no credentials');
  const stored: string[] = [];
  let failure: unknown;
  for (const entry of credentials as { credential?: unknown }[]) {
    try {
      const record = await wallet.addCredential(entry.credential as string, { issuerUrl: issuer });
      stored.push(record.id ?? record.types.join(','));
    } catch (error) {
      failure = error;
    }
  }
  const notificationId = issued?.notification_id;
  if (typeof notificationId === 'string' && typeof metadata.notification_endpoint === 'string') {
    const notificationEndpoint = checkedUrl(metadata.notification_endpoint, 'notification_endpoint').href;
    await exchange(
      fetcher,
      notificationEndpoint,
      {
        method: 'POST',
        headers: authorized(notificationEndpoint),
        body: JSON.stringify({
          notification_id: notificationId,
          event: failure === undefined ? 'credential_accepted' : 'credential_failure',
          ...(failure !== undefined
            ? { event_description: String((failure as Error).message).slice(0, 200) }
            : {}),
        }),
      },
      'the notification',
    );
  }
  if (failure !== undefined) throw failure;
  return stored;
}
