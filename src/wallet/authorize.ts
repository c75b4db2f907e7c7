/**
 * Receiving credentials through the authorization code grant (OpenID4VCI 1.0 §3.4, the
 * wallet's side): the wallet asks by itself (an issuer URL and a configuration) or with an
 * offer's `issuer_state`; it builds the authorization request (PKCE S256,
 * `authorization_details` of type `openid_credential`, its DID as `client_id`, a loopback
 * redirect URI it never listens on), pushes it first when the authorization server names a
 * pushed authorization request endpoint (RFC 9126: the URL then carries `client_id` and
 * `request_uri` only), shows it (`onAuthorizationUrl`), then acts as the browser
 * itself: it opens the page, answers the page's wallet login (OpenID4VP, as `wallet login`
 * does) with its MembershipCredential, continues, reads the code from the redirect (checking
 * `state` and `iss`, RFC 9207), exchanges it and receives the credential like the
 * pre-authorized flow.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DidResolver } from '../did/index.js';
import { notReadyError, ServiceError, WalletError } from './errors.js';
import { walletLogin } from './login.js';
import { checkedUrl, exchange, type ReceiveResult, redeemGrant, resolveOffer, wellKnown } from './receive.js';
import type { Wallet } from './wallet.js';

/** Where the issuer sends the code: a loopback URI nobody listens on (the wallet reads the redirect). */
export const WALLET_REDIRECT_URI = 'http://127.0.0.1/dataspace-trust-wallet/callback';

export interface AuthorizeOptions {
  /** An `openid-credential-offer://` URL whose `authorization_code` grant to use. */
  readonly offerUrl?: string;
  /** Without an offer: the credential issuer to ask. */
  readonly issuer?: string;
  /** The configuration to ask for (required without an offer; default the offer's first storable). */
  readonly configurationId?: string;
  /** Resolves the verifier's DID for the wallet login. */
  readonly resolver: DidResolver;
  /** Told the authorization URL before the wallet opens it (the CLI prints it). */
  readonly onAuthorizationUrl?: (url: string) => void;
  readonly fetch?: typeof fetch;
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&');
}

/** A browser of one origin: its cookies, no redirects followed. */
function browser(fetcher: typeof fetch, origin: string) {
  const cookies = new Map<string, string>();
  return async (url: string): Promise<Response> => {
    if (new URL(url).origin !== origin)
      throw new WalletError('invalid_argument', `refusing to leave ${origin}`);
    const headers = new Headers();
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([n, v]) => `${n}=${v}`).join('; '));
    let response: Response;
    try {
      response = await fetcher(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new ServiceError(0, 'unreachable', `${url}: ${(error as Error).message}`, undefined, {
        cause: error,
      });
    }
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      if (index > 0) cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
    }
    return response;
  };
}

async function refusal(response: Response, what: string): Promise<ServiceError> {
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  const unavailable = notReadyError(what, response, body);
  if (unavailable) return unavailable;
  const code = typeof body?.error === 'string' ? body.error : 'http_error';
  return new ServiceError(
    response.status,
    code,
    `${what} refused (${code}): ${String(body?.error_description ?? '')}`,
    body,
  );
}

export async function receiveByAuthorization(
  wallet: Wallet,
  options: AuthorizeOptions,
): Promise<ReceiveResult> {
  const fetcher = options.fetch ?? fetch;
  const offer = options.offerUrl !== undefined ? await resolveOffer(options.offerUrl, fetcher) : undefined;
  const issuer = offer?.credential_issuer ?? options.issuer;
  if (issuer === undefined)
    throw new WalletError('invalid_argument', 'name the credential issuer or an offer');
  checkedUrl(issuer, 'the credential issuer');
  const issuerState = (offer?.grants?.authorization_code as { issuer_state?: unknown } | undefined)
    ?.issuer_state;
  if (offer && offer.grants?.authorization_code === undefined)
    throw new WalletError('invalid_credential_offer', 'the offer has no authorization_code grant');
  const metadata =
    (await exchange(fetcher, wellKnown(issuer, 'openid-credential-issuer'), {}, 'the issuer metadata')) ?? {};
  if (metadata.credential_issuer !== issuer)
    throw new WalletError('invalid_credential_offer', 'the issuer metadata is of another credential_issuer');
  const configurations = (metadata.credential_configurations_supported ?? {}) as Record<
    string,
    { format?: string }
  >;
  const configurationId = options.configurationId ?? offer?.credential_configuration_ids[0];
  if (configurationId === undefined || configurations[configurationId] === undefined)
    throw new WalletError('invalid_argument', `the issuer has no configuration ${String(configurationId)}`);
  if (offer && !offer.credential_configuration_ids.includes(configurationId))
    throw new WalletError('invalid_credential_offer', `the offer does not contain ${configurationId}`);
  const servers = metadata.authorization_servers;
  const server = Array.isArray(servers) && typeof servers[0] === 'string' ? servers[0] : issuer;
  const as =
    (await exchange(
      fetcher,
      wellKnown(server, 'oauth-authorization-server'),
      {},
      'the authorization server metadata',
    )) ?? {};
  if (as.issuer !== server)
    throw new WalletError(
      'invalid_credential_offer',
      'the authorization server metadata names another issuer',
    );
  if (
    !(
      Array.isArray(as.code_challenge_methods_supported) &&
      as.code_challenge_methods_supported.includes('S256')
    )
  )
    throw new WalletError('invalid_credential_offer', 'the authorization server does not support PKCE S256');
  const authorizationEndpoint = checkedUrl(as.authorization_endpoint, 'authorization_endpoint');

  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const parameters: Record<string, string> = {
    response_type: 'code',
    client_id: wallet.did,
    redirect_uri: WALLET_REDIRECT_URI,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    authorization_details: JSON.stringify([
      { type: 'openid_credential', credential_configuration_id: configurationId },
    ]),
    ...(typeof issuerState === 'string' ? { issuer_state: issuerState } : {}),
  };
  const request = new URL(authorizationEndpoint);
  const parEndpoint = as.pushed_authorization_request_endpoint;
  const sent =
    parEndpoint === undefined
      ? parameters
      : {
          client_id: wallet.did,
          request_uri: await pushRequest(
            fetcher,
            checkedUrl(parEndpoint, 'pushed_authorization_request_endpoint').href,
            parameters,
          ),
        };
  for (const [name, value] of Object.entries(sent)) request.searchParams.set(name, value);
  options.onAuthorizationUrl?.(request.href);

  const open = browser(fetcher, authorizationEndpoint.origin);
  const page = await open(request.href);
  if (!page.ok) throw await refusal(page, 'the authorization request');
  const html = await page.text();
  const link = /id="same-device" href="([^"]+)"/.exec(html)?.[1];
  const action = /<form method="get" action="(\/[^"]+)"/.exec(html)?.[1];
  if (!link || !action)
    throw new ServiceError(page.status, 'invalid_response', 'the authorization page offers no wallet login');
  await walletLogin(wallet, unescapeHtml(link), { resolver: options.resolver, fetch: fetcher });
  const back = await open(new URL(unescapeHtml(action), authorizationEndpoint).href);
  const location = back.headers.get('location');
  if (back.status !== 303 || !location) throw await refusal(back, 'the authorization');
  const answer = new URL(location);
  if (!location.startsWith(`${WALLET_REDIRECT_URI}?`) || answer.searchParams.get('state') !== state)
    throw new ServiceError(
      back.status,
      'invalid_response',
      'the authorization response is not for this request',
    );
  if (answer.searchParams.get('iss') !== server)
    throw new ServiceError(
      back.status,
      'invalid_response',
      'the authorization response names another issuer (iss)',
    );
  const error = answer.searchParams.get('error');
  if (error !== null)
    throw new ServiceError(
      400,
      error,
      `the authorization was refused (${error}): ${answer.searchParams.get('error_description') ?? ''}`,
    );
  const code = answer.searchParams.get('code');
  if (code === null)
    throw new ServiceError(back.status, 'invalid_response', 'the authorization response has no code');

  const stored = await redeemGrant(wallet, fetcher, metadata, {
    tokenEndpoint: checkedUrl(as.token_endpoint, 'token_endpoint').href,
    form: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: WALLET_REDIRECT_URI,
      code_verifier: verifier,
      client_id: wallet.did,
    },
    configurationId,
  });
  return { credentialIssuer: issuer, configurationId, stored };
}

/** Pushes an authorization request (RFC 9126 §2); its `request_uri`. */
async function pushRequest(
  fetcher: typeof fetch,
  endpoint: string,
  parameters: Record<string, string>,
): Promise<string> {
  const answer = await exchange(
    fetcher,
    endpoint,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(parameters).toString(),
    },
    'the pushed authorization request',
  );
  const requestUri = answer?.request_uri;
  if (typeof requestUri !== 'string' || !requestUri.startsWith('urn:ietf:params:oauth:request_uri:'))
    throw new ServiceError(201, 'invalid_response', 'the pushed authorization response has no request_uri');
  return requestUri;
}
