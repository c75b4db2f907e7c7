/** Why the audit log refused an event or an operation. Each has a stable code. */
export type AuditErrorCode =
  | 'invalid_kind'
  | 'invalid_actor'
  | 'invalid_subject'
  | 'invalid_data'
  | 'data_too_large'
  | 'forbidden_field'
  | 'log_uninitialised'
  | 'invalid_checkpoint'
  | 'unreachable';

/** An event or operation the audit log refused; `code` says why. */
export class AuditError extends Error {
  constructor(
    readonly code: AuditErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuditError';
  }
}

/**
 * True for the refusal of the database's append-only triggers (an UPDATE, DELETE or TRUNCATE
 * of `audit_entry` or `audit_checkpoint`, or a step back of `audit_head`), on either database.
 */
export function isAppendOnlyViolation(error: unknown): boolean {
  const message = (error as { message?: unknown })?.message;
  return typeof message === 'string' && /\baudit_(entry|checkpoint|head) is append-only\b/.test(message);
}
