import { createLogger } from '../log/logger.js';
import { openService, type Service } from '../service.js';
import type { ConfigSource } from './program.js';

/** Opens the service for one CLI command (logging only warnings to stderr), then closes it. */
export async function withService<T>(
  config: ConfigSource,
  run: (service: Service) => Promise<T>,
): Promise<T> {
  const cfg = config();
  // Commands print their result on stdout; the log (warnings and worse) goes to stderr.
  const quiet = ['error', 'fatal', 'silent'].includes(cfg.logLevel);
  const logger = createLogger(quiet ? cfg.logLevel : 'warn', process.stderr);
  const service = await openService(cfg, logger, { quiet: true });
  try {
    return await run(service);
  } finally {
    await service.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
