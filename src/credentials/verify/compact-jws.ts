/**
 * Strict parsing of a compact JWS (RFC 7515 §7.1): exactly three base64url segments without
 * padding, each in its canonical encoding, a JSON object header and payload. Nothing here
 * decides trust; it only refuses what is not a well-formed token.
 */

import { jsonDeeperThan, MAX_JSON_DEPTH } from '../../http/json-depth.js';

export interface ParsedJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** The bytes the signature covers: ASCII of `header.payload`. */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

export class JwsFormatError extends Error {
  constructor(
    readonly code: 'malformed' | 'unsupported_crit',
    message: string,
  ) {
    super(message);
    this.name = 'JwsFormatError';
  }
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Header parameters we understand; any of them listed in `crit` is still refused (RFC 7515 §4.1.11). */
export const MAX_TOKEN_LENGTH = 128 * 1024;

function decodeSegment(segment: string, name: string): Buffer {
  if (!SEGMENT.test(segment))
    throw new JwsFormatError('malformed', `the ${name} is not base64url without padding`);
  // Refuse non-canonical encodings (stray trailing bits) so a token has exactly one form.
  if (!canonicalTail(segment))
    throw new JwsFormatError('malformed', `the ${name} is not canonical base64url`);
  return Buffer.from(segment, 'base64url');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether unpadded base64url (alphabet already checked) is the one canonical encoding of its
 * bytes (RFC 4648 §3.5): a length of 4n+1 encodes no whole byte, and the bits of the last
 * character past the final byte (4 of them for 4n+2, 2 for 4n+3) must be zero. Equivalent to
 * re-encoding the decoded bytes and comparing, without the second pass over the segment.
 */
function canonicalTail(segment: string): boolean {
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = ALPHABET.indexOf(segment.charAt(segment.length - 1));
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

function decodeJsonObject(segment: string, name: string): Record<string, unknown> {
  const text = decodeSegment(segment, name).toString('utf8');
  // Nothing a credential needs is this deep; anything deeper would overflow a later recursive step.
  if (jsonDeeperThan(text, MAX_JSON_DEPTH))
    throw new JwsFormatError('malformed', `the ${name} nests deeper than ${MAX_JSON_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JwsFormatError('malformed', `the ${name} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JwsFormatError('malformed', `the ${name} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function parseCompactJws(token: string): ParsedJws {
  if (token.length > MAX_TOKEN_LENGTH) throw new JwsFormatError('malformed', 'the token is too long');
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwsFormatError('malformed', 'a compact JWS has three segments');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJsonObject(headerPart, 'header');
  const payload = decodeJsonObject(payloadPart, 'payload');
  const signature = decodeSegment(signaturePart, 'signature');
  if (typeof header.alg !== 'string') throw new JwsFormatError('malformed', 'the header has no alg');
  if (header.crit !== undefined) {
    throw new JwsFormatError(
      'unsupported_crit',
      'the header names critical extensions this service does not implement',
    );
  }
  if (header.b64 !== undefined)
    throw new JwsFormatError('unsupported_crit', 'unencoded payloads are not accepted');
  return { header, payload, signingInput: Buffer.from(`${headerPart}.${payloadPart}`, 'ascii'), signature };
}
