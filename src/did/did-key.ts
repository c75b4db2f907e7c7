import { DidResolutionError } from './errors.js';
import { decodeMultibaseKey, KeyMaterialError } from './key-material.js';
import type { DidDocument } from './types.js';

/**
 * did:key (W3C CCG did:key method, §3.1 "Document Creation Algorithm"): the DID is
 * `did:key:` + a multibase base58btc multicodec public key. This service reads Ed25519
 * (`ed25519-pub` 0xed, `z6Mk...`) and P-256 (`p256-pub` 0x1200, compressed, `zDn...`);
 * every other key type is `unsupported_method`, anything malformed is `invalid_did`.
 *
 * The document has one JsonWebKey2020 method, `did:key:z...#z...`, referenced from
 * authentication, assertionMethod, capabilityInvocation and capabilityDelegation. The
 * optional X25519 keyAgreement key derived from an Ed25519 key is not produced: nothing
 * here encrypts to DIDs.
 */
export const DID_KEY_PREFIX = 'did:key:';

export const DID_KEY_CONTEXTS = [
  'https://www.w3.org/ns/did/v1',
  'https://w3id.org/security/suites/jws-2020/v1',
] as const;

/** Builds the DID document of a did:key, or throws DidResolutionError. */
export function resolveDidKey(did: string): DidDocument {
  if (!did.startsWith(DID_KEY_PREFIX)) throw new DidResolutionError('invalid_did', 'not a did:key');
  const multibase = did.slice(DID_KEY_PREFIX.length);
  // The optional version segment (`did:key:1:z...`) and any DID URL part are not accepted.
  if (!/^z[1-9A-HJ-NP-Za-km-z]+$/.test(multibase)) {
    throw new DidResolutionError(
      'invalid_did',
      'a did:key must be did:key: followed by a base58btc (z) value',
    );
  }
  let key: ReturnType<typeof decodeMultibaseKey>;
  try {
    key = decodeMultibaseKey(multibase);
  } catch (error) {
    if (!(error instanceof KeyMaterialError)) throw error;
    const code = error.problem === 'unsupported' ? 'unsupported_method' : 'invalid_did';
    throw new DidResolutionError(code, `did:key: ${error.message}`);
  }
  const methodId = `${did}#${multibase}`;
  return {
    '@context': [...DID_KEY_CONTEXTS],
    id: did,
    verificationMethod: [{ id: methodId, type: 'JsonWebKey2020', controller: did, publicKeyJwk: key.jwk }],
    authentication: [methodId],
    assertionMethod: [methodId],
    capabilityInvocation: [methodId],
    capabilityDelegation: [methodId],
  };
}
