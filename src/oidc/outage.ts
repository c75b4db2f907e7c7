/**
 * A database outage inside the provider: oidc-provider turns every unexpected error into its
 * own 500 `server_error` (a JSON answer, an error page, or a redirect to the client). A
 * database that is unreachable or stalled is no server fault the client can do nothing about:
 * it should retry, so the answer becomes 503 `temporarily_unavailable` (RFC 6749 §4.1.2.1)
 * with Retry-After, as the rest of the service answers 503 `database_unavailable`.
 */
import type Koa from 'koa';
import { isDatabaseUnavailable } from '../db/errors.js';
import { DatabaseUnavailableError } from '../http/errors.js';

/** The ctx.state key marking a request whose provider work met a database outage. */
const UNAVAILABLE = 'oidcDatabaseUnavailable';

interface ProviderEvents {
  on(event: 'server_error', listener: (ctx: Koa.Context, error: unknown) => void): unknown;
}

/** Remembers on the request that the provider's server_error was a database outage. */
export function watchOutages(provider: ProviderEvents): void {
  provider.on('server_error', (ctx, error) => {
    if (isDatabaseUnavailable(error)) ctx.state[UNAVAILABLE] = true;
  });
}

/** Runs the provider's routes; a database outage among them answers 503 with Retry-After. */
export async function answerOutages(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    ctx.state[UNAVAILABLE] = true;
  }
  if (ctx.state[UNAVAILABLE] !== true) return;
  ctx.remove('Location');
  ctx.status = 503;
  ctx.set('Retry-After', String(new DatabaseUnavailableError().retryAfterSeconds));
  ctx.set('Cache-Control', 'no-store');
  ctx.body = {
    error: 'temporarily_unavailable',
    error_description: 'the service cannot reach its database; try again later',
  };
}
