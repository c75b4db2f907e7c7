import { gunzipSync, gzipSync } from 'node:zlib';
import { StatusListError } from './errors.js';

/** Bitstring Status List §2.2: the uncompressed bitstring is at least 16 KB, 131,072 entries. */
export const MINIMUM_LIST_BITS = 131_072;

/** The default cap on a decompressed list: 16 MiB (134 million entries), far above any real list. */
export const DEFAULT_MAX_LIST_BYTES = 16 * 1024 * 1024;

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const DECIMAL_INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * A list of status bits. Index 0 is the left-most bit of the first byte (its most significant
 * bit), index `length - 1` the right-most bit of the last byte (§2.2 `encodedList`).
 */
export class Bitstring {
  private constructor(private readonly bytes: Uint8Array) {}

  /** A bitstring of `lengthBits` zero bits; the length is a positive multiple of 8. */
  static zeros(lengthBits: number): Bitstring {
    if (!Number.isSafeInteger(lengthBits) || lengthBits <= 0 || lengthBits % 8 !== 0) {
      throw new StatusListError(
        'invalid_size',
        `a bitstring length must be a positive multiple of 8, not ${lengthBits}`,
      );
    }
    return new Bitstring(new Uint8Array(lengthBits / 8));
  }

  /** Wraps (a copy of) decompressed bytes. */
  static fromBytes(bytes: Uint8Array): Bitstring {
    if (bytes.length === 0) throw new StatusListError('invalid_size', 'a bitstring cannot be empty');
    return new Bitstring(Uint8Array.from(bytes));
  }

  get length(): number {
    return this.bytes.length * 8;
  }

  get(index: number): boolean {
    this.checkIndex(index);
    return (this.bytes[index >> 3] & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number, value: boolean): void {
    this.checkIndex(index);
    const byte = index >> 3;
    const mask = 0x80 >> (index & 7);
    this.bytes[byte] = value ? this.bytes[byte] | mask : this.bytes[byte] & ~mask;
  }

  /** A copy of the raw bytes. */
  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  private checkIndex(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.length) {
      throw new StatusListError(
        'index_out_of_range',
        `index ${index} is outside the list of ${this.length} entries`,
      );
    }
  }
}

/**
 * The `encodedList` of a bitstring (§3.3): GZIP (RFC 1952), then multibase base64url without
 * padding, i.e. `u` followed by the base64url characters.
 */
export function encodeList(bitstring: Bitstring): string {
  return `u${gzipSync(bitstring.toBytes()).toString('base64url')}`;
}

export interface DecodeOptions {
  /** Refuse a list whose decompressed size exceeds this many bytes (a GZIP bomb). Default 16 MiB. */
  readonly maxBytes?: number;
  /** Refuse a list shorter than this many entries (§3.2 step 9). Default 131,072; 0 turns it off. */
  readonly minimumBits?: number;
}

/**
 * Expands an `encodedList` (§3.4) with hard limits: the `u` multibase prefix is required, the
 * decompressed size is capped while decompressing (never after), and a list shorter than the
 * herd-privacy minimum is refused with `list_too_short` (STATUS_LIST_LENGTH_ERROR).
 */
export function decodeList(encodedList: unknown, options: DecodeOptions = {}): Bitstring {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_LIST_BYTES;
  const minimumBits = options.minimumBits ?? MINIMUM_LIST_BITS;
  if (typeof encodedList !== 'string' || encodedList.length === 0) {
    throw new StatusListError('malformed_list', 'encodedList must be a non-empty string');
  }
  if (!encodedList.startsWith('u')) {
    throw new StatusListError(
      'missing_multibase_prefix',
      'encodedList must start with the multibase prefix "u" (base64url)',
    );
  }
  const characters = encodedList.slice(1);
  if (!BASE64URL.test(characters) || characters.length % 4 === 1) {
    throw new StatusListError('malformed_list', 'encodedList is not base64url without padding');
  }
  // GZIP never grows data by more than a fraction of a percent plus its header, so longer
  // input cannot expand to an acceptable list: refuse it before decoding anything.
  if (characters.length > Math.ceil(((maxBytes * 1.01 + 1024) * 4) / 3)) {
    throw new StatusListError(
      'list_too_large',
      `encodedList is longer than a list of ${maxBytes} bytes can be`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = gunzipSync(Buffer.from(characters, 'base64url'), { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new StatusListError('list_too_large', `encodedList expands to more than ${maxBytes} bytes`);
    }
    throw new StatusListError('malformed_list', `encodedList is not GZIP data: ${(error as Error).message}`);
  }
  if (bytes.length === 0) throw new StatusListError('list_too_short', 'encodedList expands to an empty list');
  if (bytes.length * 8 < minimumBits) {
    throw new StatusListError(
      'list_too_short',
      `the list has ${bytes.length * 8} entries, fewer than the minimum of ${minimumBits} (herd privacy)`,
    );
  }
  return Bitstring.fromBytes(bytes);
}

/**
 * Parses a `statusListIndex` (§2.1): a base-10 integer ≥ 0 expressed as a string, without
 * sign, leading zeros or white space. Larger than 2^53 - 1 is refused as out of range.
 */
export function parseStatusListIndex(value: unknown): number {
  if (typeof value !== 'string' || !DECIMAL_INDEX.test(value)) {
    throw new StatusListError(
      'malformed_index',
      'statusListIndex must be a base-10 integer ≥ 0 expressed as a string',
    );
  }
  const index = Number(value);
  if (!Number.isSafeInteger(index))
    throw new StatusListError('index_out_of_range', `statusListIndex ${value} is too large`);
  return index;
}
