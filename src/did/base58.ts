/**
 * base58btc (the Bitcoin alphabet), as used by multibase `z` values in did:key and
 * Multikey. Small inputs only: the conversion is quadratic in the input length, so callers
 * bound the length first (keys are a few dozen characters).
 */
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

const DIGIT_OF: ReadonlyMap<string, number> = new Map([...ALPHABET].map((char, index) => [char, index]));

/** The longest input decoded; longer ones are refused rather than converted. */
export const MAX_BASE58_LENGTH = 256;

/**
 * Decodes base58btc text into bytes, or returns undefined when the text is empty, too long
 * or holds a character outside the alphabet. Each leading `1` is one leading zero byte, so
 * every byte string has exactly one encoding and decoding never merges two spellings.
 */
export function decodeBase58btc(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length > MAX_BASE58_LENGTH) return undefined;
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  // Little-endian base-256 digits of the number written after the leading ones.
  const bytes: number[] = [];
  for (let i = zeros; i < text.length; i++) {
    const digit = DIGIT_OF.get(text[i] as string);
    if (digit === undefined) return undefined;
    let carry = digit;
    for (let j = 0; j < bytes.length; j++) {
      carry += (bytes[j] as number) * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let i = 0; i < bytes.length; i++) out[out.length - 1 - i] = bytes[i] as number;
  return out;
}

/** Encodes bytes as base58btc text (the inverse of decodeBase58btc). */
export function encodeBase58btc(input: Uint8Array): string {
  let zeros = 0;
  while (zeros < input.length && input[zeros] === 0) zeros++;
  // Little-endian base-58 digits of the number after the leading zero bytes.
  const digits: number[] = [];
  for (let i = zeros; i < input.length; i++) {
    let carry = input[i] as number;
    for (let j = 0; j < digits.length; j++) {
      carry += (digits[j] as number) << 8;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let text = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i--) text += ALPHABET[digits[i] as number];
  return text;
}
