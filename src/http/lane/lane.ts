/**
 * The connector lane: `POST` to the exact path of a hot machine-to-machine route (credential
 * verification, the consent check, the agreement check) is answered here, on node:http,
 * without koa. Connectors call these before every exchange, and koa's general machinery (its
 * context objects, the router matching every route, a dozen middleware functions, each with its
 * promise) cost more CPU than the check itself: `npm run bench:verify-stack` measured the koa
 * stack at about 200 µs a verification above a bare node:http server (docs/workers-and-metrics.md).
 *
 * The lane does what koa's stack does for these requests, with the same functions, in the same
 * order: request id and request log (request-id.ts), metrics by route (metrics.ts), the security
 * headers (security-headers.ts), the database deadline and fail-fast while the database is down
 * (src/db/deadline.ts, database-down.ts), the body limit and parser (body.ts), the connector's
 * bearer token (connector-token.ts), and errors as problem+json (error-mapper.ts). No rate limit
 * applies to these routes (none of src/http/rate-limit.ts's rules matches them: a test says so).
 * Any other request, and any other form of these (a query string, a trailing slash, another
 * letter case), goes to koa, which has the same routes (route.ts). test/http/lane.test.ts sends
 * the same requests both ways and compares the answers.
 *
 * One difference, in the metrics only: a request refused before koa's router matched it (body
 * too large, not JSON, 503 while the database is down) counts under `route="unmatched"` in koa;
 * the lane knows its route from the start and counts it there.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withDatabaseDeadline } from '../../db/deadline.js';
import type { Logger } from '../../log/logger.js';
import { parseBodyText, readBodyText } from '../body.js';
import type { ConnectorGate, ScopeRequirement } from '../connector-token.js';
import { errorAnswer, JSON_CONTENT_TYPE } from '../error-mapper.js';
import { DatabaseUnavailableError } from '../errors.js';
import { type HttpInstruments, recordRequest } from '../metrics.js';
import { logRequest, requestIdFrom } from '../request-id.js';
import { cspNonce, securityHeaderEntries } from '../security-headers.js';
import type { LaneRoute } from './route.js';

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export interface ConnectorLaneOptions {
  readonly routes: readonly LaneRoute[];
  /** The connector authentication's check for a scope (`ConnectorAuthenticator.gate`). */
  readonly gate: (scope: ScopeRequirement) => ConnectorGate;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  /** As koa's `proxy`: the client address in the request log from the last X-Forwarded-For entry. */
  readonly trustProxy: boolean;
  /** The path of PUBLIC_URL ('' when none): the lane's paths are below it. */
  readonly basePath?: string;
  readonly metrics?: HttpInstruments;
  readonly database?: {
    readonly isDown: () => boolean;
    readonly reportUnavailable: () => void;
    readonly deadlineMs?: number;
  };
}

interface LanePath {
  readonly route: LaneRoute;
  readonly gate: ConnectorGate | undefined;
}

/** A request header as koa's `ctx.get` reads it: '' when absent. */
function headerOf(request: IncomingMessage, name: string): string {
  const value = request.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : '';
}

/** The client address as koa's `ctx.ip` with `maxIpsCount: 1`. */
function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? headerOf(request, 'x-forwarded-for') : '';
  const last = forwarded === '' ? '' : (forwarded.split(',').at(-1)?.trim() ?? '');
  return last || request.socket.remoteAddress || '';
}

/**
 * Puts the lane in front of `fallback` (koa's handler): returns the handler the HTTP server
 * calls. Each route's path must be unique.
 */
export function connectorLane(options: ConnectorLaneOptions): (fallback: RequestHandler) => RequestHandler {
  const paths = new Map<string, LanePath>();
  for (const route of options.routes) {
    const url = `${options.basePath ?? ''}${route.path}`;
    if (paths.has(url)) throw new TypeError(`two connector lane routes have the path ${route.path}`);
    paths.set(url, { route, gate: route.scope === undefined ? undefined : options.gate(route.scope) });
  }
  return (fallback) => (request, response) => {
    // The exact path, no query: `%00` (or any other escape) is never a lane path, and goes to
    // koa, which refuses it (src/http/nul.ts).
    const path = request.method === 'POST' ? paths.get(request.url ?? '') : undefined;
    if (path === undefined) return fallback(request, response);
    return answer(path, request, response, options).catch((error: unknown) => {
      // Only a fault of the lane itself reaches here (every error of the request is answered
      // above); the process must not die of it, and the client must not wait forever.
      options.logger.error({ err: error }, 'connector lane failed to answer');
      response.destroy();
    });
  };
}

async function answer(
  path: LanePath,
  request: IncomingMessage,
  response: ServerResponse,
  options: ConnectorLaneOptions,
): Promise<void> {
  const started = process.hrtime.bigint();
  const endTimer = options.metrics?.httpDuration.startTimer();
  const requestId = requestIdFrom(headerOf(request, 'x-request-id'));
  const headers: (readonly [string, string])[] = [
    ['X-Request-Id', requestId],
    ...securityHeaderEntries(cspNonce()),
  ];
  let status = 200;
  let errorCode: string | undefined;
  let contentType = JSON_CONTENT_TYPE;
  let body: string;
  // As koa's stack: `Cache-Control: no-store` once the body is read, from the connector check
  // (requireConnector) or the route's answer (mountLaneRoute) on, refusals included.
  let noStore = false;
  const work = async (): Promise<object> => {
    if (options.database?.isDown()) throw new DatabaseUnavailableError();
    const parsed = parseBodyText(request, await readBodyText(request, options.bodyLimitBytes));
    noStore = true;
    const grant = path.gate ? await path.gate(headerOf(request, 'authorization')) : undefined;
    return path.route.answer({
      body: parsed,
      header: (name) => headerOf(request, name),
      connector: grant?.connector,
    });
  };
  try {
    const deadlineMs = options.database?.deadlineMs;
    const value = await (deadlineMs === undefined
      ? work()
      : withDatabaseDeadline(Date.now() + deadlineMs, work));
    body = JSON.stringify(value);
  } catch (caught) {
    const refused = errorAnswer(
      caught,
      requestId,
      options.logger,
      options.database?.reportUnavailable ?? (() => {}),
    );
    ({ status, body, contentType } = refused);
    errorCode = refused.code;
    headers.push(...refused.headers);
  }
  if (noStore && !headers.some(([name]) => name === 'Cache-Control'))
    headers.push(['Cache-Control', 'no-store']);
  headers.push(['Content-Type', contentType], ['Content-Length', String(Buffer.byteLength(body))]);
  if (options.metrics && endTimer)
    recordRequest(options.metrics, { method: 'POST', route: path.route.path, status, errorCode, endTimer });
  logRequest(
    options.logger,
    {
      requestId,
      method: 'POST',
      path: path.route.path,
      status,
      client: clientAddress(request, options.trustProxy),
    },
    started,
    false,
  );
  response.writeHead(status, headers.flat());
  response.end(body);
}
