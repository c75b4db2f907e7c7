/** Why a policy is refused by `parsePolicy`. Each has a stable code. */
export type PolicyErrorCode =
  /** Not ODRL of this profile's shape: a missing or mistyped member, a wrong value type, too large. */
  | 'invalid_policy'
  /** A term outside the profile: an unknown key, action, left operand, operator, purpose, context. */
  | 'unsupported_policy_term';

/**
 * A policy that is refused. `path` is an RFC 6901 JSON Pointer into the input
 * (`/permission/0/constraint/1/rightOperand`); `term` names the refused term for
 * `unsupported_policy_term`. Nothing is ever ignored silently: an unsupported term is this error.
 */
export class PolicyError extends Error {
  constructor(
    readonly code: PolicyErrorCode,
    readonly path: string,
    message: string,
    readonly term?: string,
  ) {
    super(`${path || '/'}: ${message}`);
    this.name = 'PolicyError';
  }
}

/** `invalid_policy` at `path`. */
export function invalid(path: string, message: string): PolicyError {
  return new PolicyError('invalid_policy', path, message);
}

/** `unsupported_policy_term` naming `term`, at `path`. */
export function unsupported(path: string, term: string, message?: string): PolicyError {
  return new PolicyError(
    'unsupported_policy_term',
    path,
    message ?? `"${term}" is not in the policy profile`,
    term,
  );
}
