import { DidResolutionError } from './errors.js';
import { checkPublicJwk, decodeBase64url, KeyMaterialError, publicKeyObject } from './key-material.js';
import type { DidDocument, PublicJwk } from './types.js';

/**
 * did:jwk (did:jwk method specification, "Read"): the DID is `did:jwk:` + the base64url of
 * a UTF-8 JSON public JWK. The document has one JsonWebKey2020 method, `did:jwk:...#0`,
 * whose publicKeyJwk is the decoded JWK as written.
 *
 * Refused: a JWK with private members ("a JWK for a private key ... must be rejected"),
 * non-canonical base64url (so one JWK has one DID spelling per serialisation), and key
 * types other than OKP/Ed25519 and EC/P-256 (`unsupported_method`).
 *
 * Relationships follow the spec: `use: "sig"` drops keyAgreement; `use: "enc"` keeps
 * *only* keyAgreement, so such a key is never an assertionMethod or authentication key.
 */
export const DID_JWK_PREFIX = 'did:jwk:';

export const DID_JWK_CONTEXTS = [
  'https://www.w3.org/ns/did/v1',
  'https://w3id.org/security/suites/jws-2020/v1',
] as const;

const SIGNING_RELATIONSHIPS = [
  'assertionMethod',
  'authentication',
  'capabilityInvocation',
  'capabilityDelegation',
];

function decodeJwk(encoded: string): unknown {
  const bytes = decodeBase64url(encoded);
  if (bytes === undefined || bytes.length === 0) {
    throw new DidResolutionError('invalid_did', 'a did:jwk value must be canonical base64url');
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    throw new DidResolutionError('invalid_did', 'a did:jwk value must decode to UTF-8 JSON');
  }
}

/** Builds the DID document of a did:jwk, or throws DidResolutionError. */
export function resolveDidJwk(did: string): DidDocument {
  if (!did.startsWith(DID_JWK_PREFIX)) throw new DidResolutionError('invalid_did', 'not a did:jwk');
  const jwk = decodeJwk(did.slice(DID_JWK_PREFIX.length));
  try {
    publicKeyObject(checkPublicJwk(jwk));
  } catch (error) {
    if (!(error instanceof KeyMaterialError)) throw error;
    const code = error.problem === 'unsupported' ? 'unsupported_method' : 'invalid_did';
    throw new DidResolutionError(code, `did:jwk: ${error.message}`);
  }
  const publicKeyJwk = jwk as PublicJwk;
  if (publicKeyJwk.use !== undefined && publicKeyJwk.use !== 'sig' && publicKeyJwk.use !== 'enc') {
    throw new DidResolutionError('invalid_did', 'did:jwk: "use" must be "sig" or "enc"');
  }
  const methodId = `${did}#0`;
  const relationships: Record<string, string[]> = {};
  if (publicKeyJwk.use !== 'enc') {
    for (const relationship of SIGNING_RELATIONSHIPS) relationships[relationship] = [methodId];
  }
  if (publicKeyJwk.use !== 'sig') relationships.keyAgreement = [methodId];
  return {
    '@context': [...DID_JWK_CONTEXTS],
    id: did,
    verificationMethod: [{ id: methodId, type: 'JsonWebKey2020', controller: did, publicKeyJwk }],
    ...relationships,
  };
}
