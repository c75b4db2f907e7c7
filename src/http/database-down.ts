import type { Middleware } from 'koa';
import { DatabaseUnavailableError, OAuthError } from './errors.js';

export interface DatabaseDownOptions {
  /** True while the database is known to be down (src/db/health.ts). */
  readonly isDown: () => boolean;
  /** Requests that are served without the database (health probes, the DID document). */
  readonly servedWithout: (path: string) => boolean;
  /** Path prefixes of protocol endpoints (the OpenID Connect provider): OAuth error shape. */
  readonly oauthPrefixes: readonly string[];
}

/** The protocol endpoints' answer during an outage (RFC 6749 §4.1.2.1), with Retry-After. */
class TemporarilyUnavailableError extends OAuthError {
  readonly retryAfterSeconds = new DatabaseUnavailableError().retryAfterSeconds;
  constructor() {
    super(503, 'temporarily_unavailable', 'the service cannot reach its database; try again later');
  }
}

/**
 * While the database is known to be down, a request that needs it answers 503 at once,
 * instead of waiting for its own statement or pool timeout to say the same thing seconds
 * later (and holding a connection slot meanwhile). Runs inside the error mapper.
 */
export function failFastWhileDatabaseDown(options: DatabaseDownOptions): Middleware {
  return async function databaseDown(ctx, next) {
    if (options.isDown() && !options.servedWithout(ctx.path)) {
      const oauth = options.oauthPrefixes.some(
        (prefix) => ctx.path === prefix || ctx.path.startsWith(`${prefix}/`),
      );
      throw oauth ? new TemporarilyUnavailableError() : new DatabaseUnavailableError();
    }
    await next();
  };
}
