import { Command } from 'commander';
import { describeConfig } from '../config/index.js';
import { serve } from '../http/server.js';
import { takeLibraryWarnings } from '../log/library-warnings.js';
import { createLogger } from '../log/logger.js';
import { openService } from '../service.js';
import type { ConfigSource } from './program.js';

export function startCommand(config: ConfigSource): Command {
  return new Command('start')
    .description('Run the service (migrates the database first).')
    .action(async () => {
      const started = process.hrtime.bigint();
      const cfg = config();
      const logger = createLogger(cfg.logLevel);
      logger.info({ config: describeConfig(cfg) }, 'starting');
      const service = await openService(cfg, logger, { sweeper: true });
      // Node 22 LTS is the documented runtime; on Node 20 oidc-provider says so, here as JSON.
      for (const warning of takeLibraryWarnings()) logger.warn({ node: process.version }, warning);
      const running = await serve(service.app, {
        port: cfg.port,
        host: cfg.host,
        shutdownTimeoutMs: cfg.shutdownTimeoutMs,
        shutdownDrainMs: cfg.shutdownDrainMs,
        logger,
        onShutdownBegin: () => service.beginShutdown(),
        onShutdownEnd: () => service.close(),
      });
      logger.info(
        {
          did: service.identity.did,
          publicUrl: cfg.publicUrl,
          listening: `${cfg.host}:${cfg.port}`,
          startupMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
        },
        'ready',
      );
      // Exit now: a stalled database connection (or any other handle) must not keep the
      // process alive after the shutdown completed.
      process.exit(await running.stopped);
    });
}
