import { Command } from 'commander';
import { type Config, describeConfig } from '../config/index.js';
import { readFoundingBoard, seatFoundingBoard } from '../governance/founding-board.js';
import { reservePort, serve } from '../http/server.js';
import { takeLibraryWarnings } from '../log/library-warnings.js';
import { createLogger, type Logger } from '../log/logger.js';
import { serveMetrics } from '../metrics/index.js';
import { openService, type Service } from '../service.js';
import { exposeToPrimary, isClusterWorker, logMetricsListening, runPrimary, workerCount } from './cluster.js';
import type { ConfigSource } from './program.js';

export function startCommand(config: ConfigSource): Command {
  return new Command('start')
    .description(
      'Run the service (migrates the database first); WORKERS > 1 runs that many worker processes.',
    )
    .action(async () => {
      const cfg = config();
      const logger = createLogger(cfg.logLevel);
      const workers = workerCount(cfg.workers);
      if (workers > 1 && !isClusterWorker()) {
        logger.info({ config: describeConfig(cfg) }, 'starting');
        const primary = await runPrimary({
          workers,
          logger,
          shutdownTimeoutMs: cfg.shutdownTimeoutMs + cfg.shutdownDrainMs,
          ...(cfg.metricsPort !== undefined
            ? { metrics: { port: cfg.metricsPort, host: cfg.metricsHost, token: cfg.metricsToken } }
            : {}),
          // Migrations, the identity and the rulebook's adoption, once, before any worker starts.
          // The primary says once what the workers keep quiet about: development defaults and a
          // generated key-encryption secret to back up.
          bootstrap: async () => {
            // The port first (then released for the workers): when it is taken, nothing is created.
            await (await reservePort({ port: cfg.port, host: cfg.host })).close();
            const service = await openService(cfg, logger);
            try {
              await seatFoundingBoardOf(cfg, service, logger);
            } finally {
              await service.close();
            }
            for (const warning of takeLibraryWarnings()) logger.warn({ node: process.version }, warning);
          },
        });
        process.exit(await primary.stopped);
      }
      const worker = isClusterWorker();
      // Exit once stopped: a stalled database connection (or any other handle, or a worker's
      // channel to the primary) must not keep the process alive after the shutdown completed.
      process.exit(await startProcess(cfg, worker ? logger.child({ worker: process.pid }) : logger));
    });
}

/** One serving process: the whole service when WORKERS=1, else one worker of the cluster. */
async function startProcess(cfg: Config, logger: Logger): Promise<number> {
  const started = process.hrtime.bigint();
  const worker = isClusterWorker();
  if (!worker) logger.info({ config: describeConfig(cfg) }, 'starting');
  // The port first: when it is taken, the start stops before any database, secret or key exists.
  const reserved = await reservePort({ port: cfg.port, host: cfg.host });
  let service: Awaited<ReturnType<typeof openService>>;
  try {
    service = await openService(cfg, logger, { quiet: worker, sweeper: true });
  } catch (error) {
    await reserved.close();
    throw error;
  }
  // A cluster's primary seated the founding board before its workers started.
  if (!worker) {
    try {
      await seatFoundingBoardOf(cfg, service, logger);
    } catch (error) {
      await service.close();
      await reserved.close();
      throw error;
    }
  }
  // Node 22 LTS is the documented runtime; on Node 20 oidc-provider says so, here as JSON.
  if (!worker) for (const warning of takeLibraryWarnings()) logger.warn({ node: process.version }, warning);
  // In a cluster the primary serves every worker's metrics, summed; here only a single process does.
  if (worker) exposeToPrimary(service.metrics.registry);
  const metricsServer =
    !worker && cfg.metricsPort !== undefined
      ? await serveMetrics({
          port: cfg.metricsPort,
          host: cfg.metricsHost,
          token: cfg.metricsToken,
          render: async () => ({
            contentType: service.metrics.registry.contentType,
            body: await service.metrics.registry.metrics(),
          }),
          onError: (error) => logger.error({ err: error }, 'metrics scrape failed'),
        })
      : undefined;
  if (metricsServer) logMetricsListening(logger, metricsServer, cfg.metricsToken !== undefined);
  const running = await serve(service.app, {
    reserved,
    port: cfg.port,
    host: cfg.host,
    shutdownTimeoutMs: cfg.shutdownTimeoutMs,
    shutdownDrainMs: cfg.shutdownDrainMs,
    logger,
    onShutdownBegin: () => service.beginShutdown(),
    onShutdownEnd: async () => {
      metricsServer?.close();
      await service.close();
    },
  });
  logger.info(
    {
      did: service.identity.did,
      publicUrl: cfg.publicUrl,
      listening: `${cfg.host}:${cfg.port}`,
      ...(metricsServer ? { metrics: `${cfg.metricsHost}:${cfg.metricsPort}` } : {}),
      startupMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
    },
    'ready',
  );
  return running.stopped;
}

/** Seats the founding board of FOUNDING_BOARD_FILE, if set (src/governance/founding-board.ts). */
async function seatFoundingBoardOf(cfg: Config, service: Service, logger: Logger): Promise<void> {
  if (cfg.foundingBoardFile === undefined) return;
  const outcome = await seatFoundingBoard(
    service.governance.board,
    await readFoundingBoard(cfg.foundingBoardFile),
  );
  logger.info(
    { seated: outcome.seated, alreadySeated: outcome.present.length, file: cfg.foundingBoardFile },
    'founding board',
  );
  if (outcome.refused.length > 0)
    logger.warn(
      { notSeated: outcome.refused },
      'the board has opened motions: members of FOUNDING_BOARD_FILE not seated by then are seated only by an add-board-member motion',
    );
}
