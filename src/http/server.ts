import { createServer, type Server } from 'node:http';
import type Koa from 'koa';
import type { Logger } from '../log/logger.js';

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly shutdownTimeoutMs: number;
  readonly logger: Logger;
  /** Called first on SIGTERM/SIGINT: readiness should go 503. */
  readonly onShutdownBegin: () => void;
  /** Called after in-flight requests finished (or the timeout cut them): close the database. */
  readonly onShutdownEnd: () => Promise<void>;
}

export interface RunningServer {
  readonly server: Server;
  /** Resolves with the exit code when shutdown completed. */
  readonly stopped: Promise<number>;
  /** Starts the graceful shutdown (what SIGTERM does). */
  shutdown(reason: string): Promise<number>;
}

/**
 * Listens, and shuts down gracefully on SIGTERM/SIGINT: readiness goes 503, the listener
 * closes, requests in flight finish (up to the timeout), the database closes, exit code 0.
 */
export async function serve(app: Koa, options: ServeOptions): Promise<RunningServer> {
  const server = createServer(app.callback());
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    resolveStopped = resolve;
  });
  let shuttingDown: Promise<number> | undefined;

  const shutdown = (reason: string): Promise<number> => {
    shuttingDown ??= (async () => {
      options.logger.info({ reason }, 'shutting down: finishing requests in flight');
      options.onShutdownBegin();
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
      try {
        await options.onShutdownEnd();
      } catch (error) {
        options.logger.error({ err: error }, 'error while closing');
        code = 1;
      }
      options.logger.info({ code }, 'stopped');
      resolveStopped(code);
      return code;
    })();
    return shuttingDown;
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown(signal));
  }
  return { server, stopped, shutdown };
}
