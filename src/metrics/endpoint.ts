/**
 * The metrics listener: `GET /metrics` in the Prometheus text format, on its own port (never
 * the public one), optionally behind a bearer token. Anything else is 404; a missing or wrong
 * token is 401 with `WWW-Authenticate: Bearer`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface MetricsEndpointOptions {
  readonly port: number;
  readonly host: string;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  readonly token?: string | undefined;
  /** The exposition text, and its content type. */
  readonly render: () => Promise<{ readonly contentType: string; readonly body: string }>;
  /** Where a failed rendering is reported (the answer is a bare 500). */
  readonly onError?: (error: unknown) => void;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** True when the request carries the expected bearer token (compared in constant time). */
export function hasBearer(request: IncomingMessage, token: string): boolean {
  const match = /^Bearer ([^\s]+)$/.exec(request.headers.authorization ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token));
}

/** The request handler, for tests and for the listener. */
export function metricsHandler(options: Omit<MetricsEndpointOptions, 'port' | 'host'>) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (options.token !== undefined && !hasBearer(request, options.token)) {
      response
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' })
        .end('a bearer token is required\n');
      return;
    }
    try {
      const { contentType, body } = await options.render();
      response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      options.onError?.(error);
      response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
    }
  };
}

/** Starts the listener; resolves once it listens. */
export async function serveMetrics(options: MetricsEndpointOptions): Promise<Server> {
  const handler = metricsHandler(options);
  const server = createServer((request, response) => void handler(request, response));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
