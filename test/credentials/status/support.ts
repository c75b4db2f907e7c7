import { strict as assert } from 'node:assert';
import type { DataSource } from 'typeorm';
import { StatusListError, type StatusListErrorCode } from '../../../src/credentials/status/index.js';
import { createDataSource, migrate } from '../../../src/db/index.js';
import { ENTITIES } from '../../../src/service.js';
import type { TestDatabase } from '../../support/databases.js';

/** A data source on the test database, migrated to the current schema. */
export async function migratedDataSource(database: TestDatabase): Promise<DataSource> {
  const dataSource = createDataSource({ ...database, entities: ENTITIES });
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
