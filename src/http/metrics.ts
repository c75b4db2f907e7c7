import type { Context, Next } from 'koa';
import type { Counter, Histogram } from 'prom-client';

/** The HTTP instruments (a subset of the service's metrics). */
export interface HttpInstruments {
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly httpErrors: Counter<'method' | 'route' | 'status' | 'code'>;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts and times every request by its route template (`/api/v1/members/:did`), never by
 * its raw path, so that label values stay few whatever clients send. Requests that match no
 * route count as `unmatched`; those of a mounted app (the OpenID Connect provider) under its
 * prefix. Errors are labelled with the stable code the error mapper answered.
 */
export function httpMetrics(instruments: HttpInstruments, mountPrefixes: readonly string[]) {
  return async function measure(ctx: Context, next: Next): Promise<void> {
    const end = instruments.httpDuration.startTimer();
    try {
      await next();
    } finally {
      const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const route =
        typeof matched === 'string'
          ? matched
          : (mountPrefixes.find((prefix) => ctx.path === prefix || ctx.path.startsWith(`${prefix}/`)) ??
            'unmatched');
      const method = METHODS.has(ctx.method) ? ctx.method : 'OTHER';
      const status = String(ctx.status);
      end({ method, route });
      instruments.httpRequests.inc({ method, route, status });
      if (ctx.status >= 400) {
        const code = typeof ctx.state.errorCode === 'string' ? ctx.state.errorCode : 'none';
        instruments.httpErrors.inc({ method, route, status, code });
      }
    }
  };
}
