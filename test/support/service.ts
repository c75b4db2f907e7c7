import { type Config, loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { type OpenOptions, openService, type Service } from '../../src/service.js';
import type { TestDatabase } from './databases.js';

/** A fixed key-encryption secret for tests (never used outside them). */
export const TEST_SECRET = '0f'.repeat(32);

/** A Config for a test database, with overrides as environment variables. */
export function testConfig(database: TestDatabase, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.databaseUrl,
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:3000',
    ...env,
  });
}

export const silentLogger = createLogger((process.env.TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent');

/** Opens the service on a test database; remember to close it. */
export function openTestService(
  database: TestDatabase,
  env: Record<string, string> = {},
  options: OpenOptions = {},
): Promise<Service> {
  return openService(testConfig(database, env), silentLogger, options);
}
