import { createPublicKey, ECDH, type KeyObject } from 'node:crypto';
import { decodeBase58btc, encodeBase58btc } from './base58.js';
import type { PublicJwk } from './types.js';

/**
 * Public key material shared by did:key, did:jwk and key selection: the two curves this
 * service verifies with, their JWK form (RFC 7517/7518/8037) and their multicodec form
 * (multibase base58btc `z` + `ed25519-pub` 0xed / `p256-pub` 0x1200, as varints).
 */
export type KeyCurve = 'Ed25519' | 'P-256';

/** The JWS algorithms of the allow-list (RFC 8037 §3.1, RFC 7518 §3.4). */
export type VerificationAlgorithm = 'EdDSA' | 'ES256';

export const ALGORITHM_OF_CURVE: Readonly<Record<KeyCurve, VerificationAlgorithm>> = {
  Ed25519: 'EdDSA',
  'P-256': 'ES256',
};

/** What is wrong with some key material; each caller maps it onto its own error code. */
export type KeyMaterialProblem = 'malformed' | 'private' | 'unsupported';

export class KeyMaterialError extends Error {
  constructor(
    readonly problem: KeyMaterialProblem,
    message: string,
  ) {
    super(message);
    this.name = 'KeyMaterialError';
  }
}

/** A checked public key: its curve and a JWK holding only the members that define it. */
export interface CheckedKey {
  readonly curve: KeyCurve;
  readonly jwk: PublicJwk;
}

// Members that carry private or symmetric key material in any key type (RFC 7518 §6.2.2, §6.3.2, §6.4).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

const ED25519_PUB = [0xed, 0x01] as const;
const P256_PUB = [0x80, 0x24] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes base64url (RFC 4648 §5, no padding) strictly: only the canonical spelling of
 * the bytes is accepted, so two different strings never decode to the same key or JWK.
 */
export function decodeBase64url(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function coordinate(jwk: Record<string, unknown>, member: 'x' | 'y'): string {
  const value = jwk[member];
  const bytes = typeof value === 'string' ? decodeBase64url(value) : undefined;
  if (bytes?.length !== 32) {
    throw new KeyMaterialError('malformed', `the JWK "${member}" is not 32 base64url bytes`);
  }
  return value as string;
}

/**
 * Checks that a value is a public Ed25519 (OKP) or P-256 (EC) JWK and returns its curve
 * and defining members. Private members are refused outright, whatever else the JWK holds.
 * Structural only: whether a P-256 point is on the curve is checked by publicKeyObject.
 */
export function checkPublicJwk(value: unknown): CheckedKey {
  if (!isRecord(value)) throw new KeyMaterialError('malformed', 'the JWK is not a JSON object');
  for (const member of PRIVATE_MEMBERS) {
    if (Object.hasOwn(value, member)) {
      throw new KeyMaterialError('private', `the JWK holds the private member "${member}"`);
    }
  }
  const { kty, crv } = value;
  if (kty === 'OKP') {
    if (crv !== 'Ed25519') {
      throw new KeyMaterialError('unsupported', `OKP curve ${String(crv)} is not supported`);
    }
    if (Object.hasOwn(value, 'y')) throw new KeyMaterialError('malformed', 'an OKP JWK has no "y"');
    return { curve: 'Ed25519', jwk: { kty, crv, x: coordinate(value, 'x') } };
  }
  if (kty === 'EC') {
    if (crv !== 'P-256') {
      throw new KeyMaterialError('unsupported', `EC curve ${String(crv)} is not supported`);
    }
    return { curve: 'P-256', jwk: { kty, crv, x: coordinate(value, 'x'), y: coordinate(value, 'y') } };
  }
  throw new KeyMaterialError('unsupported', `key type ${String(kty)} is not supported`);
}

/** Imports a checked key into node:crypto (which also refuses a P-256 point off the curve). */
export function publicKeyObject(key: CheckedKey): KeyObject {
  try {
    return createPublicKey({ key: { ...key.jwk }, format: 'jwk' });
  } catch (cause) {
    throw new KeyMaterialError(
      'malformed',
      `the ${key.curve} key does not import: ${(cause as Error).message}`,
    );
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

/**
 * Decodes a multibase base58btc multicodec public key (`z6Mk...` Ed25519, `zDn...` P-256,
 * the P-256 point compressed per SEC 1 §2.3.3) into a checked key.
 */
export function decodeMultibaseKey(value: string): CheckedKey {
  if (!value.startsWith('z')) {
    throw new KeyMaterialError('malformed', 'only base58btc (z) multibase keys are read');
  }
  const bytes = decodeBase58btc(value.slice(1));
  if (bytes === undefined) throw new KeyMaterialError('malformed', 'the multibase value is not base58btc');
  if (startsWith(bytes, ED25519_PUB)) {
    if (bytes.length !== 34) throw new KeyMaterialError('malformed', 'an Ed25519 public key is 32 bytes');
    const x = Buffer.from(bytes.subarray(2)).toString('base64url');
    return { curve: 'Ed25519', jwk: { kty: 'OKP', crv: 'Ed25519', x } };
  }
  if (startsWith(bytes, P256_PUB)) {
    const point = bytes.subarray(2);
    if (point.length !== 33 || (point[0] !== 0x02 && point[0] !== 0x03)) {
      throw new KeyMaterialError('malformed', 'a P-256 key must be a 33-byte compressed point');
    }
    let full: Buffer;
    try {
      full = ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'uncompressed') as Buffer;
    } catch {
      throw new KeyMaterialError('malformed', 'the P-256 point is not on the curve');
    }
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: full.subarray(1, 33).toString('base64url'),
      y: full.subarray(33, 65).toString('base64url'),
    };
    return { curve: 'P-256', jwk };
  }
  if (bytes.length < 2) {
    throw new KeyMaterialError('malformed', 'the multibase value holds no multicodec key');
  }
  throw new KeyMaterialError(
    'unsupported',
    `multicodec key type 0x${Buffer.from(bytes.subarray(0, 2)).toString('hex')} is not supported`,
  );
}

/** Encodes a checked key as a multibase base58btc multicodec value (the inverse of decodeMultibaseKey). */
export function encodeMultibaseKey(key: CheckedKey): string {
  const x = Buffer.from(key.jwk.x as string, 'base64url');
  if (key.curve === 'Ed25519') return `z${encodeBase58btc(Buffer.concat([Buffer.from(ED25519_PUB), x]))}`;
  const y = Buffer.from(key.jwk.y as string, 'base64url');
  const prefix = (y[31] as number) & 1 ? 0x03 : 0x02;
  return `z${encodeBase58btc(Buffer.concat([Buffer.from(P256_PUB), Buffer.from([prefix]), x]))}`;
}
