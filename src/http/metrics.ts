import type { Context, Next } from 'koa';
import type { Counter, Histogram } from 'prom-client';

/** The HTTP instruments (a subset of the service's metrics). */
export interface HttpInstruments {
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly httpErrors: Counter<'method' | 'route' | 'status' | 'code'>;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** One answered request, by its route template; `errorCode` is the code answered (errors only). */
export function recordRequest(
  instruments: HttpInstruments,
  request: {
    readonly method: string;
    readonly route: string;
    readonly status: number;
    readonly errorCode: string | undefined;
    /** The duration timer started when the request arrived (`httpDuration.startTimer()`). */
    readonly endTimer: (labels: { method: string; route: string }) => number;
  },
): void {
  const method = METHODS.has(request.method) ? request.method : 'OTHER';
  const { route } = request;
  const status = String(request.status);
  request.endTimer({ method, route });
  instruments.httpRequests.inc({ method, route, status });
  if (request.status >= 400)
    instruments.httpErrors.inc({ method, route, status, code: request.errorCode ?? 'none' });
}

/**
 * Counts and times every request by its route template (`/api/v1/members/:did`), never by
 * its raw path, so that label values stay few whatever clients send. Requests that match no
 * route count as `unmatched`; those of a mounted app (the OpenID Connect provider) under its
 * prefix. Errors are labelled with the stable code the error mapper answered.
 */
export function httpMetrics(instruments: HttpInstruments, mountPrefixes: readonly string[]) {
  return async function measure(ctx: Context, next: Next): Promise<void> {
    const endTimer = instruments.httpDuration.startTimer();
    try {
      await next();
    } finally {
      const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const route =
        typeof matched === 'string'
          ? matched
          : (mountPrefixes.find((prefix) => ctx.path === prefix || ctx.path.startsWith(`${prefix}/`)) ??
            'unmatched');
      const errorCode = typeof ctx.state.errorCode === 'string' ? ctx.state.errorCode : undefined;
      recordRequest(instruments, { method: ctx.method, route, status: ctx.status, errorCode, endTimer });
    }
  };
}
