export {
  ACCESS_TOKEN_ALGORITHM,
  type AccessTokenVerifierOptions,
  createAccessTokenVerifier,
  type ServiceKeys,
} from './access-tokens.js';
export {
  type Account,
  AccountStore,
  accountIdOf,
  type LoginCredential,
  type NaturalPersonIdentity,
} from './accounts.js';
export { type ClientInput, ClientRegistry, type RegisteredClient } from './clients.js';
export { OIDC_ENTITIES } from './entities.js';
export { OidcError, type OidcErrorCode } from './errors.js';
export {
  isMemberClientId,
  type MemberClientOptions,
  type MemberClientPort,
  memberClientMetadata,
} from './member-clients.js';
export {
  API_RESOURCE_PATH,
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
export {
  CITIZEN_SCOPE,
  CONNECTOR_SCOPE_NAMES,
  CONNECTOR_SCOPES,
  type ConnectorScope,
  CREDENTIAL_SCOPES,
  type CredentialScope,
  isConnectorScope,
  isCredentialScope,
  SUPPORTED_SCOPES,
} from './scopes.js';
