import { createECDH, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { VaultKeyType } from './key-vault.js';

export type SigningAlgorithm = 'EdDSA' | 'ES256';

export const ALGORITHM_OF: Record<VaultKeyType, SigningAlgorithm> = { Ed25519: 'EdDSA', Secp256r1: 'ES256' };

// PKCS#8 wrapper for a raw 32-byte Ed25519 seed (RFC 8410 §7).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Turns raw private key bytes from the vault into a node:crypto KeyObject, so that signing
 * runs on native code. Ed25519 bytes are seed||public (64) or the seed alone (32).
 */
export function privateKeyObject(type: VaultKeyType, raw: Buffer): KeyObject {
  if (type === 'Ed25519') {
    const seed = raw.subarray(0, 32);
    if (seed.length !== 32) throw new Error('an Ed25519 private key needs 32 bytes of seed');
    return createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
  }
  if (raw.length !== 32) throw new Error('a P-256 private key is 32 bytes');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(raw);
  const point = ecdh.getPublicKey();
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: raw.toString('base64url'),
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
}

/** The public JWK of a private key, with only the members that identify the key. */
export function publicJwkOf(privateKey: KeyObject): JWK {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  return jwk.kty === 'OKP'
    ? { kty: 'OKP', crv: jwk.crv, x: jwk.x }
    : { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
}
