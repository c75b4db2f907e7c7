import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { Config } from '../config/index.js';
import { agreementsCommands, offersCommands } from './agreements-commands.js';
import { auditCommands } from './audit-commands.js';
import { backupCommands } from './backup-commands.js';
import { boardCommands } from './board-commands.js';
import { clientsCommands } from './clients-commands.js';
import { credentialsCommands } from './credentials-commands.js';
import { didCommands } from './did-commands.js';
import { keysCommands } from './keys-commands.js';
import { migrateCommand } from './migrate-command.js';
import { startCommand } from './start-command.js';
import { type WalletEnvironmentSource, walletCommands } from './wallet-commands.js';

/** A function that returns the configuration, read once when a command needs it. */
export type ConfigSource = () => Config;

/** The package version (`src/cli` and `dist/cli` are both two levels below package.json). */
function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** The `dataspace-trust` command. Each subcommand lives in its own file. */
export function buildProgram(config: ConfigSource, wallet: WalletEnvironmentSource = () => ({})): Command {
  const program = new Command('dataspace-trust')
    .description('Trust service of a data space: membership, credentials, wallet login, consent, governance.')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nConfiguration comes from environment variables; see docs/configuration.md.\n' +
        'Exit codes: 0 success, 1 failure, 78 configuration error.',
    );
  program.addCommand(startCommand(config));
  program.addCommand(migrateCommand(config));
  for (const command of backupCommands(config)) program.addCommand(command);
  program.addCommand(didCommands(config));
  program.addCommand(keysCommands(config));
  program.addCommand(credentialsCommands(config));
  program.addCommand(boardCommands(config));
  program.addCommand(auditCommands(config));
  program.addCommand(offersCommands(config));
  program.addCommand(agreementsCommands(config));
  program.addCommand(clientsCommands(config));
  program.addCommand(walletCommands(wallet));
  return program;
}
