/**
 * The secrets of the issuer, derived from the key-encryption secret (HKDF) so that every
 * replica has the same ones: a MAC key for c_nonces and transaction codes, and the key that
 * turns an offer's reference into its pre-authorized code. Hashes of one-time values are
 * SHA-256 (the values are 256-bit random, so a plain hash is enough).
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export interface IssuerSecrets {
  mac(purpose: string, value: string): string;
  macMatches(purpose: string, value: string, mac: string): boolean;
}

export function issuerSecrets(secretHex: string): IssuerSecrets {
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(secretHex, 'hex'), Buffer.alloc(0), 'dataspace-trust oid4vci v1', 32),
  );
  const mac = (purpose: string, value: string) =>
    createHmac('sha256', key).update(`${purpose}\u0000${value}`).digest('base64url');
  return {
    mac,
    macMatches(purpose, value, given) {
      const expected = Buffer.from(mac(purpose, value));
      const actual = Buffer.from(given);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
  };
}

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

/** 256 random bits, base64url. */
export const randomToken = (): string => randomBytes(32).toString('base64url');
