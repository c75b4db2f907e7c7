import { Command } from 'commander';
import { createLogger } from '../log/logger.js';
import { openDatabase } from '../service.js';
import type { ConfigSource } from './program.js';

export function migrateCommand(config: ConfigSource): Command {
  return new Command('migrate')
    .description('Apply pending database migrations and exit.')
    .action(async () => {
      const cfg = config();
      const logger = createLogger(cfg.logLevel);
      const dataSource = await openDatabase(cfg, logger);
      await dataSource.destroy();
      process.stdout.write('database schema is up to date\n');
    });
}
