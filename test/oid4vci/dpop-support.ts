/** DPoP keys and proofs (RFC 9449 §4.2) signed in tests, well-formed and not. */
import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export interface DpopKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

export async function dpopKey(): Promise<DpopKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    privateKey: privateKey as CryptoKey,
    publicJwk: await exportJWK(publicKey),
    privateJwk: await exportJWK(privateKey),
  };
}

export interface DpopProofOptions {
  readonly htm?: string;
  readonly htu: string;
  readonly iat?: number;
  readonly jti?: string;
  readonly ath?: string;
  readonly header?: Record<string, unknown>;
}

/** A DPoP proof signed by `key` (RFC 9449 §4.2), with what `options` changes. */
export function dpopProof(key: DpopKey, options: DpopProofOptions): Promise<string> {
  return new SignJWT({
    htm: options.htm ?? 'POST',
    htu: options.htu,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    jti: options.jti ?? randomBytes(16).toString('base64url'),
    ...(options.ath !== undefined ? { ath: options.ath } : {}),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk, ...options.header })
    .sign(key.privateKey);
}

/** `ath` (§4.2): base64url SHA-256 of the access token. */
export const ath = (token: string) => createHash('sha256').update(token).digest('base64url');
