/**
 * The wallet's typed errors. Callers branch on `code`, never on the message.
 *
 * WalletError codes:
 * - `wrong_passphrase`: the passphrase does not decrypt the wallet's private key.
 * - `weak_passphrase`: a new wallet's passphrase is shorter than 8 characters.
 * - `wallet_exists`: `createWallet` found a wallet in the directory already.
 * - `wallet_not_found`: there is no wallet in the directory.
 * - `wallet_corrupt`: a wallet file is not what this wallet wrote (or a newer version).
 * - `invalid_credential`: `addCredential` was given something that is not a JWT credential.
 * - `subject_mismatch`: the credential is not about this wallet's DID, so it could never be presented.
 * - `schema_violation`: a credential the wallet would sign does not fit the data space's schema.
 * - `invalid_argument`: an option is missing or malformed.
 * - `invalid_request_object`: an OpenID4VP request is malformed, or its request object is not
 *   signed by the verifier DID its `client_id` names.
 * - `no_matching_credentials`: the wallet holds no credentials that satisfy the verifier's DCQL query.
 * - `terms_mismatch`: an agreement's hash is not the hash of its terms, or the terms do not name
 *   this service, this agreement and the wallet's DID as a party: nothing is signed.
 * - `scope_not_granted`: the service did not grant a connector scope that was asked for.
 * - `invalid_credential_offer`: an OpenID4VCI offer the wallet cannot redeem (malformed, no
 *   pre-authorized code, a transaction code needed but not given, no configuration it can store).
 * - `invalid_transaction_data`: the request's `transaction_data` (OpenID4VP 1.0 §5.1) holds an
 *   item that is not base64url JSON with a `type` and `credential_ids` naming its DCQL queries.
 * - `transaction_data_declined`: the holder did not confirm the data it was asked to sign.
 */
export type WalletErrorCode =
  | 'wrong_passphrase'
  | 'scope_not_granted'
  | 'weak_passphrase'
  | 'wallet_exists'
  | 'wallet_not_found'
  | 'wallet_corrupt'
  | 'invalid_credential'
  | 'subject_mismatch'
  | 'schema_violation'
  | 'invalid_argument'
  | 'invalid_request_object'
  | 'no_matching_credentials'
  | 'invalid_credential_offer'
  | 'invalid_transaction_data'
  | 'transaction_data_declined'
  | 'terms_mismatch'
  | 'invalid_redirect_uri'
  | 'browser_not_opened';

export class WalletError extends Error {
  constructor(
    readonly code: WalletErrorCode,
    message: string,
    /** What is wrong, one entry per violation (schema errors). */
    readonly errors: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WalletError';
  }
}

/**
 * The trust service answered with an error, or could not be reached. `status` is the HTTP
 * status (0 when no answer came); `code` is the problem's `code` (RFC 9457 problem+json as the
 * service sends it), or one of the client's own codes:
 * - `unreachable`: no HTTP answer (network error, timeout, a redirect, which is never followed);
 * - `http_error`: an error status without a problem `code`;
 * - `invalid_response`: a success status whose body is not the documented shape.
 * A 503 (a replica starting or draining, a database outage) keeps the answer's own code
 * (`starting`, `database_unavailable`, `temporarily_unavailable`) and says that the service is
 * not ready (notReadyError).
 */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The problem document as the service sent it, when there was one. */
    readonly problem?: Readonly<Record<string, unknown>>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceError';
  }
}

/**
 * The error for a 503 answer: the service, or the replica that answered, is not ready (starting,
 * draining before a shutdown, or without its database). It says so, with the HTTP status and the
 * answer's code (a problem's `code`, an OAuth `error`, else `http_error`), instead of letting
 * the caller read the answer as a malformed document. `what`: the request, as the message names
 * it. Undefined for any other status.
 */
export function notReadyError(
  what: string,
  response: { readonly status: number; readonly headers: Headers },
  body: unknown,
): ServiceError | undefined {
  if (response.status !== 503) return undefined;
  const answer =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Readonly<Record<string, unknown>>)
      : undefined;
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
  const code = text(answer?.code) ?? text(answer?.error) ?? 'http_error';
  const detail = text(answer?.detail) ?? text(answer?.error_description);
  const retryAfter = response.headers.get('retry-after');
  return new ServiceError(
    503,
    code,
    `the service is not ready: ${what} answered 503 ${code}${detail ? ` (${detail})` : ''}${
      retryAfter ? `; retry after ${retryAfter} s` : ''
    }`,
    answer,
  );
}
