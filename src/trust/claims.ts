import type { ClaimConstraint } from './types.js';

/** JSON scalars a constraint may allow. */
type Scalar = string | number | boolean;

/**
 * Whether a credential's subject satisfies one claim constraint. Fails closed, and on purpose
 * stricter than FIWARE VCVerifier (which lets an absent claim pass): the value at the path
 * must be present and be an allowed scalar, or a non-empty array whose every element is an
 * allowed scalar. Values compare exactly ("de" is not "DE"). With several subjects, each must
 * satisfy it.
 */
export function satisfiesClaim(credential: object, constraint: ClaimConstraint): boolean {
  const subjects = (credential as { credentialSubject?: unknown }).credentialSubject;
  const list = Array.isArray(subjects) ? subjects : [subjects];
  if (list.length === 0) return false;
  const keys = constraint.path.split('.').slice(1); // drop the leading "credentialSubject"
  return list.every((subject) => allowed(valueAt(subject, keys), constraint.allowedValues));
}

/** The constraints of an entry that apply to a credential with these specific types. */
export function constraintsFor(
  claims: readonly ClaimConstraint[],
  types: readonly string[],
): ClaimConstraint[] {
  return claims.filter(
    (claim) => !claim.credentialTypes || claim.credentialTypes.some((type) => types.includes(type)),
  );
}

function valueAt(subject: unknown, keys: readonly string[]): unknown {
  let current = subject;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function allowed(value: unknown, allowedValues: readonly Scalar[]): boolean {
  if (Array.isArray(value))
    return value.length > 0 && value.every((item) => isAllowedScalar(item, allowedValues));
  return isAllowedScalar(value, allowedValues);
}

function isAllowedScalar(value: unknown, allowedValues: readonly Scalar[]): boolean {
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  return scalar && allowedValues.includes(value);
}
