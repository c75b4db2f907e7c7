/**
 * DID resolution for the verification pipeline: did:web (hardened), did:key and did:jwk,
 * and the choice of a verification key from a resolved document.
 */
export { DID_JWK_PREFIX, resolveDidJwk } from './did-jwk.js';
export { DID_KEY_PREFIX, resolveDidKey } from './did-key.js';
export { MAX_DID_LENGTH, type ParsedDid, parseDid } from './did-syntax.js';
export { DID_WEB_PREFIX, type DidWebOptions, didWebToUrl, hostnameProblem } from './did-web.js';
export {
  DidResolutionError,
  type DidResolutionErrorCode,
  KeySelectionError,
  type KeySelectionErrorCode,
} from './errors.js';
export { DEFAULT_FETCH_BUDGET, type FetchBudget, fetchBudget } from './fetch-budget.js';
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  type DidTransportOptions,
  fetchBounded,
} from './fetch-document.js';
export {
  type CheckedKey,
  decodeMultibaseKey,
  encodeMultibaseKey,
  type KeyCurve,
  KeyMaterialError,
} from './key-material.js';
export {
  importPublicJwk,
  type SelectKeyOptions,
  selectVerificationKey,
  type VerificationAlgorithm,
  type VerificationKey,
} from './keys.js';
export {
  createDidResolver,
  DEFAULT_CACHE_MAX_BYTES,
  DEFAULT_CACHE_SIZE,
  DEFAULT_CACHE_TTL_MS,
  type DidResolver,
  type DidResolverOptions,
} from './resolver.js';
export type {
  DidDocument,
  PublicJwk,
  VerificationMethod,
  VerificationMethodEntry,
  VerificationRelationship,
} from './types.js';
