/**
 * `dataspace-trust backup <file>` and `restore <file>`: the embedded SQLite database, online
 * and consistent. PostgreSQL is backed up with its own tools; these commands say so.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { backupSqlite, createDataSource, restoreSqlite } from '../db/index.js';
import { ENTITIES } from '../service.js';
import type { ConfigSource } from './program.js';
import { printJson } from './with-service.js';

const SECRET_REMINDER =
  'the key-encryption secret is not in the database: keep KEY_ENCRYPTION_SECRET (or DATA_DIR/secrets/key-encryption.key) with the backup';

function refusePostgres(command: 'backup' | 'restore'): never {
  const tool =
    command === 'backup'
      ? 'pg_dump --format=custom --file=<file> "$DATABASE_URL"'
      : 'pg_restore --clean --if-exists --dbname="$DATABASE_URL" <file>';
  throw new Error(
    `${command} is for the embedded SQLite database; with DATABASE_URL set use PostgreSQL's own tools: ${tool} (see docs/operations.md)`,
  );
}

export function backupCommands(config: ConfigSource): Command[] {
  const backup = new Command('backup')
    .description(
      'Write a consistent copy of the embedded SQLite database to a new file while the service runs. ' +
        'PostgreSQL: use pg_dump (docs/operations.md).',
    )
    .argument('<file>', 'the backup file to create (must not exist)')
    .action(async (file: string) => {
      const cfg = config();
      if (cfg.databaseUrl !== undefined) refusePostgres('backup');
      const dataSource = createDataSource({
        databaseUrl: undefined,
        dataDir: cfg.dataDir,
        statementTimeoutMs: cfg.databaseStatementTimeoutMs,
        entities: ENTITIES,
      });
      await dataSource.initialize();
      try {
        printJson({ ...(await backupSqlite(dataSource, resolve(file))), note: SECRET_REMINDER });
      } finally {
        await dataSource.destroy();
      }
    });
  const restore = new Command('restore')
    .description(
      'Restore a backup made by `backup` into DATA_DIR. Refuses while a service or command uses DATA_DIR, ' +
        'and over a database that holds data unless --force. PostgreSQL: use pg_restore (docs/operations.md).',
    )
    .argument('<file>', 'the backup file')
    .option('--force', 'replace the database in DATA_DIR')
    .action(async (file: string, options: { force?: boolean }) => {
      const cfg = config();
      if (cfg.databaseUrl !== undefined) refusePostgres('restore');
      printJson({
        restored: await restoreSqlite({
          file: resolve(file),
          dataDir: cfg.dataDir,
          force: options.force === true,
        }),
        note: SECRET_REMINDER,
      });
    });
  return [backup, restore];
}
