import { DidResolutionError, didWebToUrl, parseDid, resolveDidJwk, resolveDidKey } from '../did/index.js';
import { GovernanceError } from './errors.js';

/**
 * Refuses a DID that cannot be a board member's before a seat is given (by the operator or by
 * motion): a board member signs votes, so the DID must name a key or a resolvable location.
 * - `did:key` and `did:jwk` must decode to a supported public key (`did:key:alice` does not);
 * - `did:web` must name a valid host (and path), under the same rules as resolution
 *   (no IP literals, lowercase FQDN; `localhost` only in development);
 * - any other method is checked for DID Core §3.1 syntax only (the rulebook decides whether
 *   the method is allowed at all).
 * Throws a GovernanceError 400 `invalid_did` saying what is wrong.
 */
export function checkSeatableDid(did: unknown, options: { readonly developmentMode: boolean }): string {
  try {
    const { method } = parseDid(did);
    const text = did as string;
    if (method === 'key') resolveDidKey(text);
    else if (method === 'jwk') resolveDidJwk(text);
    else if (method === 'web') didWebToUrl(text, { developmentMode: options.developmentMode });
    return text;
  } catch (error) {
    if (error instanceof DidResolutionError) {
      throw new GovernanceError(400, 'invalid_did', `not a usable DID for a board seat: ${error.message}`);
    }
    throw error;
  }
}
