/**
 * Why a DID could not be resolved. The codes are stable: callers branch on them and the
 * verification pipeline reports them.
 *
 * - `invalid_did`: malformed, or a form refused as hostile (IP literal, userinfo, encoded
 *   path tricks, ...), refused before any network access.
 * - `unsupported_method`: a DID method, or a did:key / did:jwk key type, this service does not resolve.
 * - `not_found`: the did:web host answered 404 (or 410).
 * - `fetch_failed`: a network or TLS error, or an HTTP status other than 200, 3xx and 404.
 * - `timeout`: connecting and reading the whole document took longer than allowed.
 * - `too_large`: the document is larger than the size cap.
 * - `redirect_refused`: the host answered with a redirect (never followed).
 * - `invalid_document`: not UTF-8 JSON, or not the shape of a DID document.
 * - `id_mismatch`: the document's `id` is not exactly the DID that was resolved.
 * - `insecure_transport`: plain http outside development (or any other scheme).
 * - `private_address`: the host resolved to a private, loopback, link-local or otherwise
 *   non-public address outside development.
 * - `fetch_budget_exhausted`: the request that asked has used up its outbound fetches
 *   (see FetchBudget); nothing was fetched.
 */
export type DidResolutionErrorCode =
  | 'invalid_did'
  | 'unsupported_method'
  | 'not_found'
  | 'fetch_failed'
  | 'timeout'
  | 'too_large'
  | 'redirect_refused'
  | 'invalid_document'
  | 'id_mismatch'
  | 'insecure_transport'
  | 'private_address'
  | 'fetch_budget_exhausted';

/** A DID could not be resolved; `code` says why. */
export class DidResolutionError extends Error {
  constructor(
    readonly code: DidResolutionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DidResolutionError';
  }
}

/**
 * Why no verification key could be taken from a DID document.
 *
 * - `unknown_key`: the kid is not a method of this document under the required
 *   relationship (or belongs to another DID), or no kid was given and the relationship
 *   holds zero or several methods.
 * - `unsupported_key`: a method type, key type, curve or `alg` this service does not verify with.
 * - `invalid_key`: the method is malformed or not usable for signatures: its controller is
 *   not the document's DID, its JWK holds private members, its key material does not
 *   decode, or it is marked for encryption only.
 */
export type KeySelectionErrorCode = 'unknown_key' | 'unsupported_key' | 'invalid_key';

/** No usable verification key was found; `code` says why. */
export class KeySelectionError extends Error {
  constructor(
    readonly code: KeySelectionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KeySelectionError';
  }
}
