/**
 * The composition root: the only module that reads `process.env`. It turns the environment
 * into a frozen Config and hands it to the CLI, which opens the service.
 */

import { fileURLToPath } from 'node:url';
import { buildProgram } from './cli/program.js';
import { type Config, ConfigError, loadConfig } from './config/index.js';

/** Exit code for a configuration error (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/** The package's own directory (this file is `src/main.ts` or `dist/main.js`): unset directories default below it. */
export const INSTALL_DIR = fileURLToPath(new URL('..', import.meta.url));

export function configFromEnvironment(): Config {
  return loadConfig(process.env, process.cwd(), INSTALL_DIR);
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
    () => ({ passphrase: process.env.WALLET_PASSPHRASE, browser: process.env.BROWSER }),
  );
  await program.parseAsync([...argv]);
}
