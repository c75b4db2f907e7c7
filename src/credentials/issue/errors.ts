export type IssuanceErrorCode =
  | 'unknown_type'
  | 'schema_violation'
  | 'idempotency_conflict'
  | 'invalid_request';

/** Why a credential was not issued. Nothing is written when one is thrown. */
export class IssuanceError extends Error {
  constructor(
    readonly code: IssuanceErrorCode,
    message: string,
    readonly errors: readonly string[] = [],
  ) {
    super(message);
    this.name = 'IssuanceError';
  }
}
