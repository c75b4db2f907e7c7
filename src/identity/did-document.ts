import type { JWK } from 'jose';
import type { KeyStatus } from './entities.js';
import type { SigningAlgorithm } from './key-material.js';

export interface PublishedKey {
  /** The verification method id, `did#fragment` (the JWK thumbprint, RFC 7638). */
  readonly id: string;
  readonly algorithm: SigningAlgorithm;
  readonly publicJwk: JWK;
  readonly status: KeyStatus;
  readonly createdAt: string;
}

export interface VerificationMethod {
  readonly id: string;
  readonly type: 'JsonWebKey2020';
  readonly controller: string;
  readonly publicKeyJwk: JWK;
}

export interface DidDocument {
  readonly '@context': readonly string[];
  readonly id: string;
  readonly verificationMethod: readonly VerificationMethod[];
  readonly assertionMethod: readonly string[];
  readonly authentication: readonly string[];
}

export const DID_CONTEXTS = [
  'https://www.w3.org/ns/did/v1',
  'https://w3id.org/security/suites/jws-2020/v1',
] as const;

/**
 * A DID Core §5 document: every published key (active and previous) as a JsonWebKey2020
 * verification method, referenced from assertionMethod (credentials the service issues) and
 * authentication (the service proving it is itself, e.g. in OpenID4VP request objects).
 */
export function buildDidDocument(did: string, keys: readonly PublishedKey[]): DidDocument {
  const methods = keys.map(
    (key): VerificationMethod => ({
      id: key.id,
      type: 'JsonWebKey2020',
      controller: did,
      publicKeyJwk: { ...key.publicJwk, alg: key.algorithm },
    }),
  );
  const ids = methods.map((method) => method.id);
  return {
    '@context': [...DID_CONTEXTS],
    id: did,
    verificationMethod: methods,
    assertionMethod: ids,
    authentication: ids,
  };
}
