export { type AppOptions, createApp } from './app.js';
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
export { requestBody } from './request-body.js';
