import { strict as assert } from 'node:assert';
import { Entities as VeramoEntities } from '@veramo/data-store';
import { createDataSource, MIGRATIONS, migrate } from '../../src/db/index.js';
import { ENTITIES } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('migrations', (fresh) => {
  it('bring an empty database to the current schema, in the listed order', async () => {
    const database = await fresh();
    const dataSource = createDataSource({ ...database, entities: ENTITIES });
    await dataSource.initialize();
    try {
      const applied = await migrate(dataSource);
      assert.deepEqual(
        applied,
        MIGRATIONS.map((migration) => new migration().name),
      );
      const runner = dataSource.createQueryRunner();
      try {
        for (const table of ['identity_key', 'identifier', 'key', 'private-key']) {
          assert.ok(await runner.hasTable(table), `table ${table} exists`);
        }
      } finally {
        await runner.release();
      }
      assert.equal(await dataSource.showMigrations(), false, 'nothing left pending');
      assert.deepEqual(await migrate(dataSource), [], 'a second run applies nothing');
    } finally {
      await dataSource.destroy();
    }
  });

  it('every migration has a pinned, unique name', () => {
    const names = MIGRATIONS.map((migration) => new migration().name);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.match(name ?? '', /^[A-Za-z]+\d{13}$/);
  });

  it('the schema matches our entities: synchronising would change nothing', async () => {
    // Veramo's own store has known drift between its migrations and its entities; it is
    // Veramo's schema, so the comparison covers the entities of this project only.
    const ours = ENTITIES.filter((entity) => !(VeramoEntities as unknown[]).includes(entity));
    const database = await fresh();
    const migrator = createDataSource({ ...database, entities: ENTITIES });
    await migrator.initialize();
    await migrate(migrator);
    await migrator.destroy();
    const dataSource = createDataSource({ ...database, entities: ours });
    await dataSource.initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      assert.deepEqual(
        pending.upQueries.map((query) => query.query),
        [],
      );
    } finally {
      await dataSource.destroy();
    }
  });
});
