/**
 * The wallet's key pair and the DID made from its public key: did:key (multibase base58btc
 * multicodec, kid `did#<multibase>`) or did:jwk (base64url of the public JWK, kid `did#0`).
 * Both are checked against the project's own resolvers before a wallet is written, so a
 * wallet never holds a DID whose document names another key.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  type DidDocument,
  encodeMultibaseKey,
  type PublicJwk,
  resolveDidJwk,
  resolveDidKey,
  selectVerificationKey,
} from '../did/index.js';

export type DidMethod = 'did:key' | 'did:jwk';
export type WalletAlgorithm = 'EdDSA' | 'ES256';

export const DID_METHODS: readonly DidMethod[] = ['did:key', 'did:jwk'];
export const WALLET_ALGORITHMS: readonly WalletAlgorithm[] = ['EdDSA', 'ES256'];

export interface DidIdentity {
  readonly did: string;
  /** The verification method id that signs (the JWS `kid`). */
  readonly kid: string;
  readonly method: DidMethod;
  readonly algorithm: WalletAlgorithm;
  readonly publicJwk: PublicJwk;
}

export function generatePrivateKey(algorithm: WalletAlgorithm): KeyObject {
  return algorithm === 'EdDSA'
    ? generateKeyPairSync('ed25519').privateKey
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** The public JWK with only its defining members, in lexicographic order (as RFC 7638 / JCS would have them). */
export function publicJwkOf(key: KeyObject): PublicJwk {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return { crv: 'Ed25519', kty: 'OKP', x: jwk.x as string };
  if (jwk.kty === 'EC' && jwk.crv === 'P-256')
    return { crv: 'P-256', kty: 'EC', x: jwk.x as string, y: jwk.y as string };
  throw new Error(`a wallet key must be Ed25519 or P-256, not ${String(jwk.kty)} ${String(jwk.crv)}`);
}

export function algorithmOf(jwk: PublicJwk): WalletAlgorithm {
  return jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
}

/** The DID and kid for a key under a method. */
export function didFor(privateKey: KeyObject, method: DidMethod): DidIdentity {
  const publicJwk = publicJwkOf(privateKey);
  const algorithm = algorithmOf(publicJwk);
  if (method === 'did:key') {
    const multibase = encodeMultibaseKey({
      curve: algorithm === 'EdDSA' ? 'Ed25519' : 'P-256',
      jwk: publicJwk,
    });
    const did = `did:key:${multibase}`;
    return { did, kid: `${did}#${multibase}`, method, algorithm, publicJwk };
  }
  const did = `did:jwk:${Buffer.from(JSON.stringify(publicJwk), 'utf8').toString('base64url')}`;
  return { did, kid: `${did}#0`, method, algorithm, publicJwk };
}

/** The DID document, computed locally by the project's resolvers. */
export function documentOf(identity: Pick<DidIdentity, 'did' | 'method'>): DidDocument {
  return identity.method === 'did:key' ? resolveDidKey(identity.did) : resolveDidJwk(identity.did);
}

const sameKey = (a: KeyObject, b: KeyObject): boolean =>
  JSON.stringify(publicJwkOf(a)) === JSON.stringify(publicJwkOf(b));

/**
 * Throws unless the DID resolves to a document whose `kid` method, under both assertionMethod
 * (credentials the wallet issues) and authentication (presentations), is `key` (a private key
 * or its public half).
 */
export function assertDidControlsKey(identity: DidIdentity, key: KeyObject): void {
  const document = documentOf(identity);
  for (const relationship of ['assertionMethod', 'authentication'] as const) {
    const selected = selectVerificationKey(document, { kid: identity.kid, relationship });
    if (!selected.algorithms.includes(identity.algorithm) || !sameKey(selected.publicKey, key)) {
      throw new Error(`${identity.kid} does not resolve to the wallet's key under ${relationship}`);
    }
  }
}
