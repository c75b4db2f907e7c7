/** Why the trust anchors or the trusted-issuer registry cannot be set up. Each has a stable code. */
export type TrustAnchorErrorCode =
  | 'trust_anchors_unreadable'
  | 'trust_anchor_invalid_json'
  | 'trust_anchor_invalid'
  | 'trust_anchor_duplicate_did'
  | 'trust_anchor_conflict'
  | 'invalid_service_issuer';

/**
 * A trust-anchor file (or the registry's own configuration) that stops the start. The message
 * begins with the file path when there is one and says what is wrong, e.g.
 * `trust-anchors/acme.json: /did "did:web:" is not a syntactically valid DID`.
 */
export class TrustAnchorError extends Error {
  constructor(
    readonly code: TrustAnchorErrorCode,
    message: string,
    /** The offending file, when the problem is in one. */
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'TrustAnchorError';
  }
}
