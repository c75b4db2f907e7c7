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
      let applied: readonly string[] = [];
      const dataSource = await openDatabase(cfg, logger, {
        onMigrated: (names) => {
          applied = names;
        },
      });
      await dataSource.destroy();
      process.stdout.write(
        applied.length > 0
          ? `applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: the database schema is up to date\n`
          : 'database schema was already up to date: no migration to apply\n',
      );
    });
}
