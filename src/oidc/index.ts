export { type Account, AccountStore, accountIdOf, type LoginCredential } from './accounts.js';
export { type ClientInput, ClientRegistry, type RegisteredClient } from './clients.js';
export { OIDC_ENTITIES } from './entities.js';
export { OidcError, type OidcErrorCode } from './errors.js';
export {
  type InteractionSummary,
  type LoginInteractions,
  type LoginResult,
  OIDC_PATH,
  type Oidc,
  type OidcOptions,
  openOidc,
  scopeClaims,
} from './module.js';
export { endLogins, type RegistryEntry, type RegistryPort } from './registry.js';
export { CREDENTIAL_SCOPES, type CredentialScope, isCredentialScope, SUPPORTED_SCOPES } from './scopes.js';
