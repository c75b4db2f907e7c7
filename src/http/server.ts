import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type Koa from 'koa';
import type { Logger } from '../log/logger.js';
import { PROBLEM_TYPE_PREFIX } from './error-mapper.js';

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  /**
   * After the drain: how long requests in flight may take to finish before their connections
   * are cut; closing the database then gets what is left of it (at least one second).
   */
  readonly shutdownTimeoutMs: number;
  /**
   * On SIGTERM/SIGINT, how long readiness answers 503 while the listener still accepts, so a
   * load balancer notices and stops sending traffic before connections are refused.
   */
  readonly shutdownDrainMs?: number;
  readonly logger: Logger;
  /** Called first on SIGTERM/SIGINT: readiness should go 503. */
  readonly onShutdownBegin: () => void;
  /** Called after in-flight requests finished (or the timeout cut them): close the database. */
  readonly onShutdownEnd: () => Promise<void>;
}

/** The listening port is taken by another process: nothing was created (`start` checks it first). */
export class PortInUseError extends Error {
  readonly code = 'port_in_use';
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(
      `${host}:${port} is already in use by another process; nothing was created or changed: ` +
        'stop that process or choose another PORT, then start again',
    );
    this.name = 'PortInUseError';
  }
}

/**
 * A port listened on before the service exists (`start` binds it first, so that a port in use
 * stops the start before a database, a secret or keys are created). Until `attach`, every
 * request is answered 503 with `Retry-After`.
 */
export interface ReservedPort {
  readonly server: Server;
  attach(handler: (request: IncomingMessage, response: ServerResponse) => void): void;
  close(): Promise<void>;
}

export async function reservePort(options: {
  readonly port: number;
  readonly host: string;
}): Promise<ReservedPort> {
  let handler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const server = createServer((request, response) => {
    if (handler) return handler(request, response);
    response.writeHead(503, { 'Content-Type': 'application/problem+json', 'Retry-After': '1' });
    response.end(
      JSON.stringify({
        type: `${PROBLEM_TYPE_PREFIX}starting`,
        title: 'Starting',
        status: 503,
        code: 'starting',
        detail: 'the service is starting',
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port, options.host) : error);
    server.once('error', failed);
    server.listen(options.port, options.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  return {
    server,
    attach(next) {
      handler = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface RunningServer {
  readonly server: Server;
  /** Resolves with the exit code when shutdown completed. */
  readonly stopped: Promise<number>;
  /** Starts the graceful shutdown (what SIGTERM does). */
  shutdown(reason: string): Promise<number>;
}

/** The least time closing the database gets, even when the requests used up the timeout. */
const MIN_CLOSE_MS = 1_000;

/**
 * Listens, and shuts down gracefully on SIGTERM/SIGINT:
 * 1. drain: readiness answers 503 for `shutdownDrainMs` while requests are still served, each
 *    response with `Connection: close`, so keep-alive clients reconnect (to another replica)
 *    after their next answer instead of being reset;
 * 2. the listener closes, idle connections are closed, requests in flight finish, up to
 *    `shutdownTimeoutMs`, then every connection is cut;
 * 3. the database closes, bounded too: a stalled database never keeps the process alive.
 */
export async function serve(
  app: Koa,
  options: ServeOptions & { readonly reserved?: ReservedPort },
): Promise<RunningServer> {
  const handle = app.callback();
  let draining = false;
  const reserved = options.reserved ?? (await reservePort(options));
  const server = reserved.server;
  reserved.attach((request, response) => {
    // Node answers `Connection: close` and closes the socket after this response.
    if (draining) response.setHeader('Connection', 'close');
    void handle(request, response);
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    resolveStopped = resolve;
  });
  const drainMs = options.shutdownDrainMs ?? 0;
  let shuttingDown: Promise<number> | undefined;
  const shutdown = (reason: string): Promise<number> => {
    shuttingDown ??= (async () => {
      options.logger.info({ reason, drainMs }, 'shutting down: readiness 503, draining');
      options.onShutdownBegin();
      draining = true;
      if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
      options.logger.info('shutting down: listener closed, finishing requests in flight');
      const deadline = Date.now() + options.shutdownTimeoutMs;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last response completes; close each
      // one then, instead of waiting for its keep-alive timeout.
      server.closeIdleConnections();
      const idleSweeper = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => {
        options.logger.warn(
          { timeoutMs: options.shutdownTimeoutMs },
          'shutdown timeout: closing open connections',
        );
        server.closeAllConnections();
      }, options.shutdownTimeoutMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
      clearInterval(idleSweeper);
      let code = 0;
      const closeMs = Math.max(MIN_CLOSE_MS, deadline - Date.now());
      let closeTimer: NodeJS.Timeout | undefined;
      try {
        const outcome = await Promise.race([
          options.onShutdownEnd().then(() => 'closed' as const),
          new Promise<'timeout'>((resolve) => {
            closeTimer = setTimeout(() => resolve('timeout'), closeMs);
          }),
        ]);
        if (outcome === 'timeout') {
          options.logger.warn({ timeoutMs: closeMs }, 'the database did not close in time: leaving it');
        }
      } catch (error) {
        options.logger.error({ err: error }, 'error while closing');
        code = 1;
      } finally {
        clearTimeout(closeTimer);
      }
      options.logger.info({ code }, 'stopped');
      resolveStopped(code);
      return code;
    })();
    return shuttingDown;
  };
  // `on`, not `once`: a signal sent to the whole process group reaches a cluster worker twice
  // (directly, then forwarded by the primary); with no listener left, the second one would
  // kill it in the middle of its drain. Shutdown is idempotent and bounded by its timeout.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void shutdown(signal));
  }
  return { server, stopped, shutdown };
}
