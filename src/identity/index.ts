export { buildDidDocument, type DidDocument, type PublishedKey } from './did-document.js';
export { type DidWebLocation, didWebForUrl } from './did-web.js';
export { IDENTITY_ENTITIES, type KeyStatus } from './entities.js';
export { IdentityError, type IdentityErrorCode, KeyDecryptionError } from './errors.js';
export type { SigningAlgorithm } from './key-material.js';
export { GENERATED_SECRET_FILE, type KeySecret, resolveKeySecret } from './key-secret.js';
export { identityRoutes } from './routes.js';
export {
  type IdentityOptions,
  type RotationResult,
  ServiceIdentity,
  type SigningKey,
} from './service-identity.js';
export { TOKEN_KEY_BITS, type TokenSigningKey } from './token-keys.js';
