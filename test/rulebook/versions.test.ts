import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '../../src/db/index.js';
import {
  loadRulebook,
  OPERATOR,
  RULEBOOK_ENTITIES,
  Rulebook,
  RulebookError,
  RulebookStore,
  RulebookStoreError,
  type RulebookStoreErrorCode,
} from '../../src/rulebook/index.js';
import { ENTITIES } from '../../src/service.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { rulebookVersion, SHIPPED_RULEBOOK_DIR } from './helpers.js';

const FIRST_START = new Date('2026-03-01T08:00:00.000Z');
const AMENDED = new Date('2026-04-01T10:30:00.000Z');
const shipped = loadRulebook(SHIPPED_RULEBOOK_DIR);
const amendment = rulebookVersion('1.2.0', (document) => {
  document.decisions.admit.minApprovals = 3;
});

async function openDatabase(database: TestDatabase): Promise<DataSource> {
  const dataSource = createDataSource({ ...database, entities: ENTITIES });
  await dataSource.initialize();
  await migrate(dataSource);
  return dataSource;
}

const storeError = (code: RulebookStoreErrorCode) => (error: unknown) =>
  error instanceof RulebookStoreError && error.code === code;

describeEachDatabase('rulebook versions (table rulebook_version)', (fresh) => {
  let dataSource: DataSource;
  let clock: Date;
  const store = () => new RulebookStore({ dataSource, now: () => clock });

  beforeEach(async () => {
    dataSource = await openDatabase(await fresh());
    clock = FIRST_START;
  });
  afterEach(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
  });

  describe('at start: ensureAdopted(file)', () => {
    it('adopts the file’s rulebook at first start, by the operator', async () => {
      const status = await store().ensureAdopted(shipped);
      assert.deepEqual(status, {
        status: 'adopted',
        fileVersion: '1.1.0',
        fileHash: shipped.hash,
        currentVersion: '1.1.0',
      });
      const current = await store().current();
      assert.equal(current.version, '1.1.0');
      assert.equal(current.hash, shipped.hash);
      assert.equal(current.adoptedBy, OPERATOR);
      assert.equal(current.adoptedAt.toISOString(), FIRST_START.toISOString());
      assert.equal(current.current, true);
      assert.equal(current.rulebook.canonical, shipped.canonical);
      assert.equal(current.rulebook.rule('admit').minApprovals, 2);
    });

    it('is idempotent on restart with the same file', async () => {
      await store().ensureAdopted(shipped);
      clock = AMENDED;
      const status = await store().ensureAdopted(shipped);
      assert.equal(status.status, 'current');
      const versions = await store().versions();
      assert.equal(versions.length, 1);
      assert.equal(versions[0]?.adoptedAt.toISOString(), FIRST_START.toISOString());
    });

    it('refuses to start when the file changes an adopted version’s content, and changes nothing', async () => {
      await store().ensureAdopted(shipped);
      const edited = rulebookVersion('1.1.0', (document) => {
        document.decisions.admit.minApprovals = 1;
      });
      await assert.rejects(
        store().ensureAdopted(edited),
        (error) =>
          error instanceof RulebookError &&
          error.code === 'rulebook_version_changed' &&
          error.source === edited.source &&
          error.message.includes(shipped.hash) &&
          error.message.includes(edited.hash) &&
          /an adopted version never changes/i.test(error.message),
      );
      const current = await store().current();
      assert.equal(current.hash, shipped.hash);
      assert.equal(current.rulebook.rule('admit').minApprovals, 2);
    });

    it('does not adopt a new version from the file: it reports it as proposed', async () => {
      await store().ensureAdopted(shipped);
      const status = await store().ensureAdopted(amendment);
      assert.deepEqual(status, {
        status: 'proposed',
        fileVersion: '1.2.0',
        fileHash: amendment.hash,
        currentVersion: '1.1.0',
      });
      assert.equal((await store().current()).version, '1.1.0');
      assert.deepEqual(
        (await store().versions()).map((v) => v.version),
        ['1.1.0'],
      );
    });

    it('reports a file older than the rulebook in force as outdated, adopted or not', async () => {
      await store().ensureAdopted(shipped);
      await store().adopt(amendment, { by: 'motion-7' });
      assert.equal((await store().ensureAdopted(shipped)).status, 'outdated');
      assert.equal((await store().ensureAdopted(rulebookVersion('1.1.1'))).status, 'outdated');
      assert.equal((await store().ensureAdopted(amendment)).status, 'current');
      assert.equal((await store().current()).version, '1.2.0');
    });

    it('adopts once when two replicas start at the same time', async () => {
      const database = dataSource.options;
      const other = createDataSource({
        databaseUrl: database.type === 'postgres' ? (database.url as string) : undefined,
        dataDir: database.type === 'postgres' ? '' : String(database.database).replace(/\/[^/]+$/, ''),
        entities: ENTITIES,
      });
      await other.initialize();
      try {
        const statuses = await Promise.all([
          store().ensureAdopted(shipped),
          new RulebookStore({ dataSource: other, now: () => clock }).ensureAdopted(shipped),
        ]);
        assert.deepEqual(statuses.map((s) => s.status).sort(), ['adopted', 'current']);
        assert.equal((await store().versions()).length, 1);
      } finally {
        await other.destroy();
      }
    });
  });

  describe('amendments: adopt(rulebook, { by, manager })', () => {
    beforeEach(async () => {
      await store().ensureAdopted(shipped);
      clock = AMENDED;
    });

    it('makes the amendment current and keeps the old version retrievable', async () => {
      const adopted = await store().adopt(amendment, { by: 'motion-42' });
      assert.equal(adopted.version, '1.2.0');
      assert.equal(adopted.current, true);

      const current = await store().current();
      assert.equal(current.version, '1.2.0');
      assert.equal(current.adoptedBy, 'motion-42');
      assert.equal(current.adoptedAt.toISOString(), AMENDED.toISOString());
      assert.equal(current.rulebook.rule('admit').minApprovals, 3);

      const old = await store().get('1.1.0');
      assert.equal(old?.current, false);
      assert.equal(old?.hash, shipped.hash);
      assert.equal(old?.adoptedBy, OPERATOR);
      assert.equal(old?.rulebook.rule('admit').minApprovals, 2);

      assert.deepEqual(
        (await store().versions()).map((v) => [v.version, v.adoptedBy, v.current]),
        [
          ['1.1.0', OPERATOR, false],
          ['1.2.0', 'motion-42', true],
        ],
      );
    });

    it('adopts in the caller’s transaction: a rollback leaves the rulebook unchanged', async () => {
      await assert.rejects(
        dataSource.transaction(async (manager) => {
          await store().adopt(amendment, { by: 'motion-42', manager });
          assert.equal((await store().current({ manager })).version, '1.2.0');
          throw new Error('the motion could not be recorded');
        }),
        /could not be recorded/,
      );
      assert.equal((await store().current()).version, '1.1.0');
      assert.equal(await store().get('1.2.0'), undefined);
    });

    it('commits with the caller’s transaction', async () => {
      await dataSource.transaction((manager) => store().adopt(amendment, { by: 'motion-42', manager }));
      assert.equal((await store().current()).version, '1.2.0');
    });

    it('refuses a version that is already adopted', async () => {
      await assert.rejects(store().adopt(shipped, { by: 'motion-1' }), storeError('rulebook_version_exists'));
    });

    it('refuses a version that is not higher than the current one', async () => {
      await assert.rejects(
        store().adopt(rulebookVersion('0.9.0'), { by: 'motion-1' }),
        storeError('rulebook_version_not_newer'),
      );
      await assert.rejects(
        store().adopt(rulebookVersion('1.1.0-rc.1'), { by: 'motion-1' }),
        storeError('rulebook_version_not_newer'),
      );
      await store().adopt(amendment, { by: 'motion-2' });
      await assert.rejects(
        store().adopt(rulebookVersion('1.1.5'), { by: 'motion-3' }),
        storeError('rulebook_version_not_newer'),
      );
    });

    it('refuses a rulebook built by hand around an invalid document', async () => {
      const { decisions: _dropped, ...document } = JSON.parse(amendment.canonical);
      await assert.rejects(
        store().adopt(new Rulebook(document, 'by hand'), { by: 'motion-1' }),
        (error) => error instanceof RulebookError && error.code === 'rulebook_invalid',
      );
      assert.equal((await store().current()).version, '1.1.0');
    });

    it('refuses a blank adopter', async () => {
      await assert.rejects(store().adopt(amendment, { by: ' ' }), RangeError);
    });

    it('answers undefined for a version never adopted', async () => {
      assert.equal(await store().get('9.9.9'), undefined);
    });

    it('detects stored content that no longer matches its hash', async () => {
      await dataSource
        .getRepository(RULEBOOK_ENTITIES[0])
        .update(
          { version: '1.1.0' },
          { content: shipped.canonical.replace('"minApprovals":2', '"minApprovals":1') },
        );
      await assert.rejects(store().current(), storeError('rulebook_corrupt'));
    });
  });

  describe('recent(maxAgeMs): the rulebook in force for request validation on hot paths', () => {
    it('reads once per maxAgeMs, sees an adoption through itself at once and one elsewhere after maxAgeMs', async () => {
      await store().ensureAdopted(shipped);
      const hot = store();
      const [first, second] = await Promise.all([hot.recent(60_000), hot.recent(60_000)]);
      assert.equal(first.version, '1.1.0');
      assert.equal(second, first); // concurrent callers share one read
      clock = AMENDED;
      // Another replica (another store) adopts: this one keeps its read until it is maxAgeMs old.
      await store().adopt(amendment, { by: 'motion-42' });
      assert.equal((await hot.recent(60_000)).version, '1.1.0');
      assert.equal((await hot.recent(0)).version, '1.2.0');
      // An adoption through this store is seen at once.
      await hot.adopt(
        rulebookVersion('1.3.0', () => {}),
        { by: 'motion-43' },
      );
      assert.equal((await hot.recent(60_000)).version, '1.3.0');
    });

    it('keeps no failed read: before the first adoption it refuses, and answers once adopted', async () => {
      const hot = store();
      await assert.rejects(hot.recent(60_000), storeError('rulebook_not_adopted'));
      await store().ensureAdopted(shipped);
      assert.equal((await hot.recent(60_000)).version, '1.1.0');
    });
  });

  it('answers rulebook_not_adopted before the first adoption', async () => {
    await assert.rejects(store().current(), storeError('rulebook_not_adopted'));
    assert.deepEqual(await store().versions(), []);
  });

  it('the table matches the entity: synchronising would change nothing', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    assert.deepEqual(
      pending.upQueries.map((query) => query.query).filter((query) => query.includes('rulebook_version')),
      [],
    );
  });
});
