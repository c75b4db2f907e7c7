import { strict as assert } from 'node:assert';
import type { DataSource } from 'typeorm';
import { StatusListError, type StatusListErrorCode } from '../../../src/credentials/status/index.js';
import { createDataSource, migrate } from '../../../src/db/index.js';
import { ENTITIES } from '../../../src/service.js';
import type { TestDatabase } from '../../support/databases.js';

/**
 * A data source on the test database, migrated to the current schema. The allocation tests queue
 * hundreds of allocations for its ten connections: waiting for one may take longer than the
 * service's 5 s bound on a loaded machine, which these tests are not about.
 */
export async function migratedDataSource(database: TestDatabase): Promise<DataSource> {
  const dataSource = createDataSource({ ...database, entities: ENTITIES, connectTimeoutMs: 60_000 });
  await dataSource.initialize();
  await migrate(dataSource);
  return dataSource;
}

/** The code of the StatusListError the promise rejects with. */
export async function refusalCode(promise: Promise<unknown>): Promise<StatusListErrorCode> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StatusListError, `expected a StatusListError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('expected a StatusListError');
}
