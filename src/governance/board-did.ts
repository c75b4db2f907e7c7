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
 * - the service's own DID is refused with `service_did_not_allowed`: the service issues the
 *   board's credentials and counts its votes; it cannot hold a seat and vote itself.
 * Throws a GovernanceError 400 `invalid_did` (or `service_did_not_allowed`) saying what is wrong.
 */
export function checkSeatableDid(
  did: unknown,
  options: { readonly developmentMode: boolean; readonly serviceDid: string },
): string {
  try {
    const { method } = parseDid(did);
    const text = did as string;
    if (method === 'key') resolveDidKey(text);
    else if (method === 'jwk') resolveDidJwk(text);
    else if (method === 'web') didWebToUrl(text, { developmentMode: options.developmentMode });
    // Exact comparison suffices: another spelling of a did:web (`%3a`, upper-case host) is
    // refused above as `invalid_did`.
    if (text === options.serviceDid) refuseServiceDid();
    return text;
  } catch (error) {
    if (error instanceof DidResolutionError) {
      throw new GovernanceError(400, 'invalid_did', `not a usable DID for a board seat: ${error.message}`);
    }
    throw error;
  }
}

function refuseServiceDid(): never {
  throw new GovernanceError(400, 'service_did_not_allowed', "the service's own DID cannot hold a board seat");
}
