import { DidResolutionError } from './errors.js';

/**
 * The generic DID syntax (DID Core §3.1), checked before any method-specific parsing:
 * `did:` + a lowercase method name + `:` + a method-specific id of idchars
 * (ALPHA / DIGIT / "." / "-" / "_" / pct-encoded) and colons, not ending in a colon.
 * A DID URL (path, query or fragment) is not a DID and is refused: resolution takes DIDs.
 */
export const MAX_DID_LENGTH = 2048;

export interface ParsedDid {
  readonly method: string;
  readonly methodSpecificId: string;
}

const DID_SYNTAX =
  /^did:([a-z0-9]+):((?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}|:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}))$/;

/** Splits a DID into method and method-specific id, or throws `invalid_did`. */
export function parseDid(did: unknown): ParsedDid {
  if (typeof did !== 'string') throw new DidResolutionError('invalid_did', 'a DID must be a string');
  if (did.length > MAX_DID_LENGTH) {
    throw new DidResolutionError('invalid_did', `a DID must not be longer than ${MAX_DID_LENGTH} characters`);
  }
  const match = DID_SYNTAX.exec(did);
  if (match === null) throw new DidResolutionError('invalid_did', 'not a DID (DID Core §3.1 syntax)');
  return { method: match[1] as string, methodSpecificId: match[2] as string };
}
