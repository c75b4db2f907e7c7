/**
 * `WORKERS` > 1: a primary process that forks the workers serving the one port (node:cluster
 * shares the listening socket), restarts a worker that dies (with backoff), forwards SIGTERM and
 * SIGINT to every worker and exits once they all have, and serves the metrics of all workers
 * summed (prom-client's AggregatorRegistry) on the metrics port. It opens no HTTP port itself.
 *
 * Work that must happen once, before anyone serves (migrations, the service's identity, the
 * rulebook's adoption), is done by `bootstrap` in the primary before the first fork; workers then
 * find everything in place.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';
import { serveMetrics } from '../metrics/index.js';

/** The number of workers `WORKERS` asks for on this machine. */
export function workerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

/** True in a process forked by the cluster primary. */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** In a worker: the registry the primary's aggregated scrape collects from this process. */
export function exposeToPrimary(registry: Registry): void {
  // Constructing one is what makes prom-client answer the primary's requests in a worker.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

export interface PrimaryOptions {
  readonly workers: number;
  readonly logger: Logger;
  /** Runs once before the first fork (migrations, identity); a failure stops the start. */
  readonly bootstrap: () => Promise<void>;
  /** How long workers may take to drain after SIGTERM before they are killed. */
  readonly shutdownTimeoutMs: number;
  /** The metrics listener, when configured. */
  readonly metrics?: { readonly port: number; readonly host: string; readonly token?: string | undefined };
  /** First restart delay; it doubles per consecutive early death, up to 30 s. Default 500 ms. */
  readonly restartDelayMs?: number;
}

export interface RunningPrimary {
  /** Resolves with the exit code once every worker has exited after a shutdown. */
  readonly stopped: Promise<number>;
  shutdown(reason: string): Promise<number>;
}

/** A worker that lived this long before dying resets the backoff. */
const STABLE_AFTER_MS = 30_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** Beyond the workers' own drain timeout, how long the primary waits before SIGKILL. */
const KILL_GRACE_MS = 5_000;

export async function runPrimary(options: PrimaryOptions): Promise<RunningPrimary> {
  const { logger } = options;
  await options.bootstrap();
  const aggregator = new AggregatorRegistry();
  const metricsServer = options.metrics
    ? await serveMetrics({
        ...options.metrics,
        render: async () => ({
          contentType: aggregator.contentType,
          body: await aggregator.clusterMetrics(),
        }),
        onError: (error) => logger.error({ err: error }, 'metrics scrape failed'),
      })
    : undefined;
  if (metricsServer) logMetricsListening(logger, metricsServer, options.metrics?.token !== undefined);

  const baseDelay = options.restartDelayMs ?? 500;
  let failures = 0;
  let stopping = false;
  const startedAt = new Map<Worker, number>();
  const restarts = new Set<NodeJS.Timeout>();
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    resolveStopped = resolve;
  });
  let exitCode = 0;

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
    startedAt.delete(worker);
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (startedAt.size === 0) finish();
      return;
    }
    failures = lived >= STABLE_AFTER_MS ? 1 : failures + 1;
    const delay = Math.min(MAX_RESTART_DELAY_MS, baseDelay * 2 ** (failures - 1));
    logger.error(
      { worker: worker.id, pid: worker.process.pid, code, signal, livedMs: lived, restartInMs: delay },
      'worker died: restarting',
    );
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (!stopping) fork();
    }, delay);
    restarts.add(timer);
  });

  let killTimer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (killTimer) clearTimeout(killTimer);
    const done = () => {
      logger.info({ code: exitCode }, 'stopped');
      resolveStopped(exitCode);
    };
    if (metricsServer) metricsServer.close(done);
    else done();
  };

  let shuttingDown: Promise<number> | undefined;
  const shutdown = (reason: string): Promise<number> => {
    if (!shuttingDown) {
      stopping = true;
      logger.info({ reason, workers: startedAt.size }, 'shutting down: stopping the workers');
      for (const timer of restarts) clearTimeout(timer);
      restarts.clear();
      if (startedAt.size === 0) finish();
      for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
      killTimer = setTimeout(() => {
        logger.warn('workers did not stop in time: killing them');
        exitCode = 1;
        for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
      }, options.shutdownTimeoutMs + KILL_GRACE_MS);
      killTimer.unref();
      shuttingDown = stopped;
    }
    return shuttingDown;
  };
  // `on`: a repeated signal (npm forwarding one the process group already got) changes nothing.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(signal));

  for (let i = 0; i < options.workers; i++) fork();
  logger.info({ workers: options.workers, pid: process.pid }, 'primary: workers forked');
  return { stopped, shutdown };
}

/** One line once the metrics listener is up, so an operator sees where to scrape and whether it needs a token. */
export function logMetricsListening(logger: Logger, server: Server, tokenRequired: boolean): void {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.info({ metrics: `${host}:${address.port}`, tokenRequired }, 'metrics listening');
}
