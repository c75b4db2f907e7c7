/** Why a status-list operation was refused. Each has a stable code. */
export type StatusListErrorCode =
  // the bitstring codec (Bitstring Status List §3.3, §3.4)
  | 'invalid_size'
  | 'index_out_of_range'
  | 'malformed_index'
  | 'malformed_list'
  | 'missing_multibase_prefix'
  | 'list_too_large'
  | 'list_too_short'
  // allocation and state changes
  | 'invalid_purpose'
  | 'invalid_credential_id'
  | 'allocation_failed'
  | 'unknown_credential'
  | 'no_status_entry'
  | 'already_revoked'
  | 'already_suspended'
  | 'not_suspended';

/** The error names of Bitstring Status List §3.5 and VC Data Model 2.0 that a code corresponds to. */
export type SpecErrorName = 'MALFORMED_VALUE_ERROR' | 'RANGE_ERROR' | 'STATUS_LIST_LENGTH_ERROR';

const SPEC_ERROR: Partial<Record<StatusListErrorCode, SpecErrorName>> = {
  index_out_of_range: 'RANGE_ERROR',
  malformed_index: 'MALFORMED_VALUE_ERROR',
  malformed_list: 'MALFORMED_VALUE_ERROR',
  missing_multibase_prefix: 'MALFORMED_VALUE_ERROR',
  list_too_large: 'MALFORMED_VALUE_ERROR',
  list_too_short: 'STATUS_LIST_LENGTH_ERROR',
};

export class StatusListError extends Error {
  /** The specification's error name, for codes a verifier reports as one (e.g. `STATUS_LIST_LENGTH_ERROR`). */
  readonly specError: SpecErrorName | undefined;

  constructor(
    readonly code: StatusListErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StatusListError';
    this.specError = SPEC_ERROR[code];
  }
}
