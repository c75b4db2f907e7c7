export { type AppOptions, createApp } from './app.js';
export { CONNECTOR_ME_PATH, type ConnectorMeAnswer, connectorRoutes } from './connector-routes.js';
export {
  type AccessTokenVerification,
  type AccessTokenVerifier,
  type AuthenticatedConnector,
  type ConnectorAuthCode,
  ConnectorAuthError,
  type ConnectorAuthenticator,
  type ConnectorAuthOptions,
  type ConnectorGate,
  type ConnectorGrant,
  type ConnectorMember,
  type ConnectorMembers,
  type ConnectorSession,
  connectorAuth,
  connectorAuthenticator,
  connectorOf,
  connectorSessionOf,
  MAX_TOKEN_LENGTH,
  type RequireConnector,
  type ScopeRequirement,
  type VerifiedAccessToken,
} from './connector-token.js';
export { didFromPathSegment } from './did-path.js';
export { errorMapper, PROBLEM_TYPE_PREFIX } from './error-mapper.js';
export {
  BadRequestError,
  ConflictError,
  DatabaseUnavailableError,
  MethodNotAllowedError,
  NotFoundError,
  OAuthError,
  PayloadTooLargeError,
  ProblemError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
} from './errors.js';
export type { ReadinessProbe } from './health.js';
export {
  addressKey,
  type RateLimitBucket,
  RateLimitedError,
  RateLimitedOAuthError,
  type RateLimitRule,
  type RateLimitSettings,
  RateLimits,
  rateLimitMiddleware,
  routeKey,
} from './rate-limit.js';
export { jsonObjectBody, requestBody } from './request-body.js';
