/** Errors of the OpenID Connect capability, each with a stable code. */
export type OidcErrorCode = 'invalid_client_metadata' | 'client_exists' | 'client_not_found';

export class OidcError extends Error {
  constructor(
    readonly code: OidcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OidcError';
  }
}
