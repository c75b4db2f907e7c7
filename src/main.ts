/**
 * The composition root: the only module that reads `process.env`. It turns the environment
 * into a frozen Config and hands it to the CLI, which opens the service.
 */

import { buildProgram } from './cli/program.js';
import { type Config, ConfigError, loadConfig } from './config/index.js';

/** Exit code for a configuration error (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

export function configFromEnvironment(): Config {
  return loadConfig(process.env);
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram(
    () => {
      try {
        return configFromEnvironment();
      } catch (error) {
        if (error instanceof ConfigError) {
          process.stderr.write(`dataspace-trust: configuration error: ${error.message}\n`);
          process.exit(EXIT_CONFIG);
        }
        throw error;
      }
    },
    // CLI-only: the wallet commands' passphrase (see `dataspace-trust wallet --help`).
    () => ({ passphrase: process.env.WALLET_PASSPHRASE }),
  );
  await program.parseAsync([...argv]);
}
