/**
 * The SD-JWT compact serialization (RFC 9901 §4): `<issuer JWS>~<disclosure>~…~<disclosure>~`
 * followed by nothing or by a key binding JWT. Parsing here is strict and decides nothing
 * about trust: every segment must be canonical base64url, the issuer JWS and the KB-JWT must
 * be well-formed compact JWS, each disclosure a JSON array of two or three elements whose salt
 * is a string (§4.2.1, §4.2.2). The digest of a disclosure is computed over its base64url text
 * exactly as received (§4.2.3), never over a re-encoding.
 */
import { createHash } from 'node:crypto';
import { jsonDeeperThan, MAX_JSON_DEPTH } from '../../http/json-depth.js';
import { MAX_TOKEN_LENGTH, type ParsedJws, parseCompactJws } from '../verify/compact-jws.js';

export interface Disclosure {
  /** The base64url text as received. */
  readonly encoded: string;
  /** base64url(SHA-256(ASCII(encoded))), RFC 9901 §4.2.3. */
  readonly digest: string;
  readonly salt: string;
  /** The claim name of an object-property disclosure; absent for an array element. */
  readonly name?: string;
  readonly value: unknown;
}

export interface ParsedSdJwt {
  readonly jws: ParsedJws;
  readonly disclosures: readonly Disclosure[];
  /** The key binding JWT (compact), when one follows the last `~`. */
  readonly kbJwt?: string;
  readonly kb?: ParsedJws;
  /** Everything up to and including the last `~`: the input of `sd_hash` (§4.3.1). */
  readonly presented: string;
}

/** Codes: `malformed`, `malformed_disclosure`, `unsupported_crit` (from the JWS parser). */
export class SdJwtFormatError extends Error {
  constructor(
    readonly code: 'malformed' | 'malformed_disclosure' | 'unsupported_crit',
    message: string,
  ) {
    super(message);
    this.name = 'SdJwtFormatError';
  }
}

/** At most this many disclosures are read: a credential with more is refused before any hashing. */
export const MAX_DISCLOSURES = 256;

const SEGMENT = /^[A-Za-z0-9_-]+$/;

export const sha256Digest = (text: string): string =>
  createHash('sha256').update(text, 'ascii').digest('base64url');

function decodeDisclosure(encoded: string): Disclosure {
  if (!SEGMENT.test(encoded))
    throw new SdJwtFormatError('malformed_disclosure', 'a disclosure is not base64url without padding');
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.toString('base64url') !== encoded)
    throw new SdJwtFormatError('malformed_disclosure', 'a disclosure is not canonical base64url');
  const text = bytes.toString('utf8');
  if (jsonDeeperThan(text, MAX_JSON_DEPTH))
    throw new SdJwtFormatError('malformed_disclosure', 'a disclosure nests too deep');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SdJwtFormatError('malformed_disclosure', 'a disclosure is not JSON');
  }
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 3))
    throw new SdJwtFormatError('malformed_disclosure', 'a disclosure is a JSON array of 2 or 3 elements');
  const [salt] = value;
  if (typeof salt !== 'string' || salt.length === 0)
    throw new SdJwtFormatError('malformed_disclosure', 'the salt of a disclosure is a non-empty string');
  const digest = sha256Digest(encoded);
  if (value.length === 2) return { encoded, digest, salt, value: value[1] };
  if (typeof value[1] !== 'string')
    throw new SdJwtFormatError('malformed_disclosure', 'the claim name of a disclosure is a string');
  return { encoded, digest, salt, name: value[1], value: value[2] };
}

function jws(text: string, what: string): ParsedJws {
  try {
    return parseCompactJws(text);
  } catch (error) {
    const code = (error as { code?: string }).code === 'unsupported_crit' ? 'unsupported_crit' : 'malformed';
    throw new SdJwtFormatError(code, `the ${what}: ${(error as Error).message}`);
  }
}

/** Parses an SD-JWT (with or without a KB-JWT); throws SdJwtFormatError. */
export function parseSdJwt(token: string): ParsedSdJwt {
  if (token.length > MAX_TOKEN_LENGTH) throw new SdJwtFormatError('malformed', 'the SD-JWT is too long');
  const parts = token.split('~');
  if (parts.length < 2)
    throw new SdJwtFormatError('malformed', 'an SD-JWT is the issuer JWT followed by "~"');
  if (parts.length - 2 > MAX_DISCLOSURES)
    throw new SdJwtFormatError('malformed', `an SD-JWT carries at most ${MAX_DISCLOSURES} disclosures`);
  const issuerJws = jws(parts[0] as string, 'issuer-signed JWT');
  const last = parts[parts.length - 1] as string;
  const disclosures = parts.slice(1, -1).map((part) => {
    if (part.length === 0) throw new SdJwtFormatError('malformed', 'an empty disclosure between two "~"');
    return decodeDisclosure(part);
  });
  const presented = token.slice(0, token.length - last.length);
  if (last.length === 0) return { jws: issuerJws, disclosures, presented };
  return { jws: issuerJws, disclosures, kbJwt: last, kb: jws(last, 'key binding JWT'), presented };
}
