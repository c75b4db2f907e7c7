import { BadRequestError } from './errors.js';

const DID_SYNTAX = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]*[A-Za-z0-9._-]$/;

/**
 * A DID taken from one raw (undecoded) path segment. A segment that starts with `did%3A` is a
 * percent-encoded DID (what encodeURIComponent gives, and what our links use) and is decoded
 * exactly once. A segment that starts with `did:` is the DID as written (how FIWARE
 * VCVerifier sends it: a did:web's `%3A` port separator stays as is) and is not decoded. The
 * raw path must be used because the router has already decoded its params.
 */
export function didFromPathSegment(segment: string): string {
  let did: string | undefined;
  if (segment.startsWith('did:')) did = segment;
  else if (/^did%3A/i.test(segment)) {
    try {
      did = decodeURIComponent(segment);
    } catch {
      did = undefined;
    }
  }
  if (did === undefined || did.length > 2048 || !DID_SYNTAX.test(did)) {
    throw new BadRequestError('invalid_did', 'The path does not hold a DID (DID Core §3.1).');
  }
  return did;
}
