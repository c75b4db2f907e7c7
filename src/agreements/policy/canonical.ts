import type { OdrlPolicy } from './types.js';

/** Compact ODRL 2.2 JSON-LD of a policy (input to `parsePolicy` gives the same policy back). */
export function policyToJsonLd(_policy: OdrlPolicy): Record<string, unknown> {
  throw new Error('not implemented yet');
}

/** RFC 8785 canonical JSON of `policyToJsonLd(policy)`: equal policies give equal strings. */
export function canonicalPolicy(_policy: OdrlPolicy): string {
  throw new Error('not implemented yet');
}

/** Lower-case hex SHA-256 of `canonicalPolicy(policy)`. */
export function policyHash(_policy: OdrlPolicy): string {
  throw new Error('not implemented yet');
}
