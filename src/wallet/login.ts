/**
 * Logging in with the wallet (OpenID4VP 1.0, the wallet's side): read the `openid4vp://` URL,
 * fetch the request object and verify that it is signed by the DID its `client_id` names
 * (prefix `decentralized_identifier:`, §5.9.3), pick stored credentials that satisfy the DCQL
 * query, and post the answer to the `response_uri` (`direct_post`): one presentation of the JWT
 * credentials bound to the verifier (`aud` = client_id, its nonce), and for each `dc+sd-jwt`
 * query its SD-JWT VC with the disclosures the query's claim paths ask for and a key binding
 * JWT (`sd_hash`, `nonce`, `aud`, `iat`).
 */
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { sha256Digest } from '../credentials/sd-jwt/compact.js';
import { didKeyLookup } from '../credentials/verify/adapters.js';
import { credentialView } from '../credentials/verify/model.js';
import type { DidResolver } from '../did/index.js';
import type { StoredCredential } from './credential-record.js';
import { ServiceError, WalletError } from './errors.js';
import { checkRedirectUri, type OpenInBrowser } from './open-browser.js';
import {
  type ClaimPath,
  disclosedClaims,
  parseStoredSdJwt,
  SD_JWT_FORMAT,
  selectDisclosures,
  valuesAt,
} from './sd-jwt.js';
import type { Wallet } from './wallet.js';

export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';
const CLIENT_ID_PREFIX = 'decentralized_identifier:';
const MAX_REQUEST_BYTES = 64 * 1024;

export interface LoginOptions {
  /** Resolves the verifier's DID (did:web needs development mode for http://localhost). */
  readonly resolver: DidResolver;
  /** HTTP client (default the global fetch). */
  readonly fetch?: typeof fetch;
  /**
   * Shown the request's `transaction_data` items (OpenID4VP 1.0 §5.1, decoded) before they are
   * signed into the presentation; answers true to sign. Without it, a request carrying
   * transaction data is declined (`transaction_data_declined`): nothing is signed unseen.
   */
  readonly confirmTransactionData?: (items: readonly TransactionDataView[]) => boolean | Promise<boolean>;
  /**
   * Same-device: sends the browser to the verifier's `redirect_uri` (§8.2), which finishes the
   * login in the browser that started it (the CLI: the system's browser, open-browser.ts).
   * Without it the result only carries `redirectUri`, for the caller to open.
   */
  readonly openInBrowser?: OpenInBrowser;
}

/** A decoded `transaction_data` item: its `type`, `credential_ids` and type-specific fields. */
export interface TransactionDataView {
  readonly type: string;
  readonly credential_ids: readonly string[];
  readonly [field: string]: unknown;
}

export interface LoginResult {
  /** The verifier's client identifier. */
  readonly clientId: string;
  /** Credential query id → the id (or type) of the credential presented for it. */
  readonly presented: Readonly<Record<string, string>>;
  /** Same-device: where to send the browser next. Absent for cross-device. */
  readonly redirectUri?: string;
  /** The `transaction_data` items (decoded) whose hashes the presentation signed, if any. */
  readonly signed?: readonly TransactionDataView[];
  /** Same-device: true when `openInBrowser` was given and sent the browser to `redirectUri`. */
  readonly opened?: boolean;
}

interface CredentialQuery {
  readonly id: string;
  readonly format?: string;
  readonly meta?: {
    readonly type_values?: readonly (readonly string[])[];
    readonly vct_values?: readonly string[];
  };
  readonly claims?: readonly { readonly path: ClaimPath }[];
}

function invalid(message: string): never {
  throw new WalletError('invalid_request_object', message);
}

/** The `client_id` and `request_uri` of an `openid4vp://` URL. */
export function parseLoginUrl(url: string): { clientId: string; requestUri: string } {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    invalid('not a URL');
  }
  const clientId = parsed.searchParams.get('client_id');
  const requestUri = parsed.searchParams.get('request_uri');
  if (!clientId || !requestUri) invalid('the URL must carry client_id and request_uri');
  if (!clientId.startsWith(CLIENT_ID_PREFIX))
    invalid(`only the ${CLIENT_ID_PREFIX} client identifier prefix is supported`);
  const request = new URL(requestUri);
  if (
    request.protocol !== 'https:' &&
    !(request.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(request.hostname))
  ) {
    invalid('request_uri must use https');
  }
  return { clientId, requestUri };
}

function satisfies(query: CredentialQuery, credential: StoredCredential, now: Date): boolean {
  if (credential.validUntil !== undefined && Date.parse(credential.validUntil) <= now.getTime()) return false;
  if (query.format === SD_JWT_FORMAT) {
    // Appendix B.3: the vct is one of vct_values, and every asked claim is there to disclose.
    if (credential.format !== SD_JWT_FORMAT || credential.vct === undefined) return false;
    if (!(query.meta?.vct_values ?? []).includes(credential.vct)) return false;
    const { claims } = disclosedClaims(parseStoredSdJwt(credential.jwt));
    return (query.claims ?? []).every((claim) => valuesAt(claims, claim.path).length > 0);
  }
  if (query.format !== undefined && query.format !== 'jwt_vc_json') return false;
  if (credential.format === SD_JWT_FORMAT) return false;
  const typeSets = query.meta?.type_values ?? [];
  if (!typeSets.some((set) => set.every((type) => credential.types.includes(type)))) return false;
  const document = credentialView(credential.format, decodePayload(credential.jwt)).document;
  return (query.claims ?? []).every((claim) => valuesAt(document, claim.path).length > 0);
}

function decodePayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** Logs in at the verifier of `url`; throws WalletError or ServiceError (the verifier's OAuth `error`). */
export async function walletLogin(wallet: Wallet, url: string, options: LoginOptions): Promise<LoginResult> {
  const http = options.fetch ?? fetch;
  const { clientId, requestUri } = parseLoginUrl(url);
  const verifierDid = clientId.slice(CLIENT_ID_PREFIX.length);

  const fetched = await http(requestUri, {
    redirect: 'manual',
    headers: { accept: 'application/oauth-authz-req+jwt' },
  }).catch((cause: unknown) => {
    throw new ServiceError(0, 'unreachable', `the request object could not be fetched: ${String(cause)}`);
  });
  const requestObject = (await fetched.text()).trim();
  if (!fetched.ok)
    throw new ServiceError(
      fetched.status,
      errorCode(requestObject),
      `the request object could not be fetched (${fetched.status})`,
    );
  if (requestObject.length > MAX_REQUEST_BYTES) invalid('the request object is too large');

  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(requestObject);
  } catch {
    invalid('the request object is not a JWT');
  }
  if (header.typ !== REQUEST_OBJECT_TYP) invalid(`the request object's typ must be ${REQUEST_OBJECT_TYP}`);
  if (typeof header.kid !== 'string' || !header.kid.startsWith(`${verifierDid}#`)) {
    invalid('the request object is not signed with a key of the verifier DID');
  }
  let payload: Record<string, unknown>;
  try {
    const key = await didKeyLookup(options.resolver).verificationKey(
      verifierDid,
      header.kid,
      'assertionMethod',
    );
    payload = (
      await jwtVerify(requestObject, key.publicKey, {
        algorithms: [...key.algorithms],
        typ: REQUEST_OBJECT_TYP,
      })
    ).payload;
  } catch (cause) {
    throw new WalletError(
      'invalid_request_object',
      `the request object's signature does not verify: ${(cause as Error).message}`,
      [],
      { cause },
    );
  }
  if (payload.client_id !== clientId) invalid('the request object names another client_id');
  if (payload.response_type !== 'vp_token' || payload.response_mode !== 'direct_post')
    invalid('only response_type vp_token with direct_post is supported');
  const { nonce, state, response_uri: responseUri } = payload;
  if (typeof nonce !== 'string' || typeof state !== 'string' || typeof responseUri !== 'string')
    invalid('nonce, state and response_uri are required');
  const dcql = payload.dcql_query as
    | { credentials?: CredentialQuery[]; credential_sets?: { options?: string[][] }[] }
    | undefined;
  const queries = dcql?.credentials;
  if (!Array.isArray(queries) || queries.length === 0) invalid('the request object holds no DCQL query');

  const transactionData = readTransactionData(
    payload.transaction_data,
    queries.map((q) => q.id),
  );
  if (transactionData.length > 0) {
    const confirmed = options.confirmTransactionData
      ? await options.confirmTransactionData(transactionData.map((item) => item.view))
      : false;
    if (!confirmed)
      throw new WalletError('transaction_data_declined', 'the holder did not confirm the transaction data');
  }

  const stored = [...wallet.credentials()].reverse(); // newest first
  const now = new Date();
  const chosen = new Map<string, StoredCredential>();
  const find = (id: string) => {
    const query = queries.find((q) => q.id === id);
    return query ? stored.find((credential) => satisfies(query, credential, now)) : undefined;
  };
  // §6.2: each credential set by the first option the wallet can answer; without sets, all.
  const sets = Array.isArray(dcql?.credential_sets)
    ? dcql.credential_sets.map((set) => (Array.isArray(set.options) ? set.options : []))
    : queries.map((query) => [[query.id]]);
  for (const options of sets) {
    const option = options.find((ids) => ids.length > 0 && ids.every((id) => find(id) !== undefined));
    if (!option)
      throw new WalletError(
        'no_matching_credentials',
        `no stored credential answers the query ${JSON.stringify(options.flat().join(' or '))}`,
      );
    for (const id of option) chosen.set(id, find(id) as StoredCredential);
  }
  const vpToken: Record<string, string[]> = {};
  const jwtAnswers = [...chosen].filter(([, credential]) => credential.format !== SD_JWT_FORMAT);
  if (jwtAnswers.length > 0) {
    const presentation = await wallet.presentation({
      audience: clientId,
      nonce,
      credentials: [...new Set(jwtAnswers.map(([, credential]) => credential))],
      transactionData: transactionData.map((item) => item.encoded),
    });
    for (const [id] of jwtAnswers) vpToken[id] = [presentation];
  }
  for (const [id, credential] of chosen) {
    if (credential.format !== SD_JWT_FORMAT) continue;
    const query = queries.find((q) => q.id === id) as CredentialQuery;
    vpToken[id] = [await sdJwtPresentation(wallet, credential, query, { clientId, nonce, transactionData })];
  }

  const response = await http(responseUri, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ vp_token: JSON.stringify(vpToken), state }).toString(),
  }).catch((cause: unknown) => {
    throw new ServiceError(0, 'unreachable', `the presentation could not be posted: ${String(cause)}`);
  });
  const text = await response.text();
  if (!response.ok) {
    const body = parseJson(text);
    throw new ServiceError(
      response.status,
      errorCode(text),
      String(body?.error_description ?? `the verifier refused (${response.status})`),
      body,
    );
  }
  const body = parseJson(text) ?? {};
  const redirectUri =
    typeof body.redirect_uri === 'string' ? checkRedirectUri(body.redirect_uri, responseUri).href : undefined;
  // The presentation is already answered: a browser that did not open is reported (`opened:
  // false`, with the URL to open by hand), not an error of the login.
  const opened =
    redirectUri !== undefined && options.openInBrowser
      ? await options.openInBrowser(redirectUri).then(
          () => true,
          (error: unknown) => {
            if (error instanceof WalletError && error.code === 'browser_not_opened') return false;
            throw error;
          },
        )
      : false;
  return {
    clientId,
    presented: Object.fromEntries(
      [...chosen].map(([id, credential]) => [id, credential.id ?? credential.type]),
    ),
    ...(redirectUri !== undefined ? { redirectUri, opened } : {}),
    ...(transactionData.length > 0 ? { signed: transactionData.map((item) => item.view) } : {}),
  };
}

/**
 * An SD-JWT VC presentation (OpenID4VP 1.0 Appendix B.3.6): the disclosures on the query's claim
 * paths only, and a key binding JWT over them for this verifier and nonce, with the hashes of
 * the transaction data items that name this query (B.3.3).
 */
async function sdJwtPresentation(
  wallet: Wallet,
  credential: StoredCredential,
  query: CredentialQuery,
  request: {
    clientId: string;
    nonce: string;
    transactionData: readonly { encoded: string; view: TransactionDataView }[];
  },
): Promise<string> {
  const presented = selectDisclosures(
    credential.jwt,
    (query.claims ?? []).map((claim) => claim.path),
  );
  const items = request.transactionData.filter((item) => item.view.credential_ids.includes(query.id));
  const kb = await wallet.keyBindingJwt({
    aud: request.clientId,
    nonce: request.nonce,
    sd_hash: sha256Digest(presented),
    ...(items.length > 0
      ? {
          transaction_data_hashes: items.map((item) => sha256Digest(item.encoded)),
          transaction_data_hashes_alg: 'sha-256',
        }
      : {}),
  });
  return `${presented}${kb}`;
}

/** The request's `transaction_data` (§5.1): each item decoded and checked against the DCQL query ids. */
function readTransactionData(
  raw: unknown,
  queryIds: readonly string[],
): { encoded: string; view: TransactionDataView }[] {
  if (raw === undefined) return [];
  const refuse = (message: string): never => {
    throw new WalletError('invalid_transaction_data', message);
  };
  if (!Array.isArray(raw) || raw.length === 0) refuse('transaction_data must be a non-empty array');
  return (raw as unknown[]).map((encoded) => {
    if (typeof encoded !== 'string' || !/^[A-Za-z0-9_-]+$/.test(encoded))
      refuse('a transaction_data item is not a base64url string');
    const view = parseJson(Buffer.from(encoded as string, 'base64url').toString('utf8'));
    if (!view || typeof view.type !== 'string' || view.type.length === 0)
      refuse('a transaction_data item has no type');
    const ids = view?.credential_ids;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => queryIds.includes(id)))
      refuse('a transaction_data item must name credential_ids of the DCQL query');
    const algs = view?.transaction_data_hashes_alg;
    if (algs !== undefined && !(Array.isArray(algs) && algs.includes('sha-256')))
      refuse('the wallet hashes transaction data with sha-256 only');
    return { encoded: encoded as string, view: view as unknown as TransactionDataView };
  });
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function errorCode(text: string): string {
  const body = parseJson(text);
  return typeof body?.error === 'string' ? body.error : 'http_error';
}
