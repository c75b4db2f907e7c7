import type { OdrlPolicy, PolicyProfile } from './types.js';

/** Size limits: a policy past any of them is refused with `invalid_policy`. */
export const POLICY_LIMITS = Object.freeze({
  /** Rules (permissions + prohibitions + obligations, duties included). */
  rules: 64,
  /** Constraints in one rule, counting those inside logical constraints. */
  constraintsPerRule: 32,
  /** Nesting of logical constraints. */
  logicalDepth: 4,
  /** Values of one set operand (`isAnyOf`, ...). */
  setSize: 256,
  /** Characters of one string (uid, IRI, DID, place code). */
  stringLength: 2048,
});

/** Parses ODRL 2.2 JSON-LD of this profile; throws PolicyError for anything outside it. */
export function parsePolicy(_input: unknown, _profile: PolicyProfile): OdrlPolicy {
  throw new Error('not implemented yet');
}
