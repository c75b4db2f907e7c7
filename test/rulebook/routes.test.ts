import assert from 'node:assert/strict';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '../../src/db/index.js';
import { loadRulebook, RulebookError, RulebookStore, rulebookRoutes } from '../../src/rulebook/index.js';
import { ENTITIES } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { appWithRouters } from '../support/routers.js';
import { openTestService } from '../support/service.js';
import { directoryWith } from '../support/temp-dir.js';
import { rulebookVersion, SHIPPED_RULEBOOK_DIR, shippedDocument } from './helpers.js';

const NOW = new Date('2026-03-01T08:00:00.000Z');
const shipped = loadRulebook(SHIPPED_RULEBOOK_DIR);
const amendment = rulebookVersion('1.2.0', (document) => {
  document.membership.renewalWindowDays = 30;
});

describeEachDatabase(
  'rulebook routes (GET /api/v1/rulebook, /api/v1/rulebook/versions[/{version}])',
  (fresh) => {
    let dataSource: DataSource;
    let store: RulebookStore;
    let app: ReturnType<ReturnType<typeof appWithRouters>['callback']>;

    before(async () => {
      dataSource = createDataSource({ ...(await fresh()), entities: ENTITIES });
      await dataSource.initialize();
      await migrate(dataSource);
      store = new RulebookStore({ dataSource, now: () => NOW });
      app = appWithRouters(rulebookRoutes(store)).callback();
    });
    after(async () => {
      if (dataSource?.isInitialized) await dataSource.destroy();
    });

    it('answers 404 not_found before any rulebook is adopted', async () => {
      const response = await request(app).get('/api/v1/rulebook').expect(404);
      assert.equal(response.body.code, 'not_found');
    });

    it('serves the rulebook in force with its version, hash and adoption', async () => {
      await store.ensureAdopted(shipped);
      const response = await request(app).get('/api/v1/rulebook').expect(200).expect('Content-Type', /json/);
      assert.equal(response.headers.etag, `"${shipped.hash}"`);
      assert.deepEqual(
        { ...response.body, rulebook: undefined },
        {
          version: '1.1.0',
          hash: shipped.hash,
          adoptedAt: NOW.toISOString(),
          adoptedBy: 'operator',
          current: true,
          rulebook: undefined,
        },
      );
      assert.deepEqual(response.body.rulebook, JSON.parse(shipped.canonical));
      assert.equal(response.body.rulebook.decisions.admit.minApprovals, 2);
    });

    it('serves the amendment once adopted, and lists both versions oldest first', async () => {
      await store.adopt(amendment, { by: 'motion-42' });
      const current = await request(app).get('/api/v1/rulebook').expect(200);
      assert.equal(current.body.version, '1.2.0');
      assert.equal(current.body.adoptedBy, 'motion-42');
      assert.equal(current.body.rulebook.membership.renewalWindowDays, 30);

      const list = await request(app).get('/api/v1/rulebook/versions').expect(200);
      assert.equal(list.body.total, 2);
      assert.deepEqual(
        list.body.items.map((item: { version: string; hash: string; current: boolean }) => [
          item.version,
          item.hash,
          item.current,
        ]),
        [
          ['1.1.0', shipped.hash, false],
          ['1.2.0', amendment.hash, true],
        ],
      );
      assert.equal(list.body.items[0].rulebook, undefined, 'the list carries no content');
    });

    it('serves an older version by its number', async () => {
      const response = await request(app).get('/api/v1/rulebook/versions/1.1.0').expect(200);
      assert.equal(response.body.version, '1.1.0');
      assert.equal(response.body.current, false);
      assert.equal(response.body.hash, shipped.hash);
      assert.equal(response.body.rulebook.membership.renewalWindowDays, 60);
    });

    it('answers a 404 problem for a version never adopted', async () => {
      for (const version of ['2.0.0', '1.0', 'latest', '%ZZ']) {
        const response = await request(app).get(`/api/v1/rulebook/versions/${version}`).expect(404);
        assert.match(response.headers['content-type'] ?? '', /application\/problem\+json/);
        assert.equal(response.body.code, 'not_found', version);
      }
    });
  },
);

describeEachDatabase('the service and its rulebook at start', (fresh) => {
  it('adopts the shipped rulebook at first start and serves it', async () => {
    const service = await openTestService(await fresh());
    try {
      assert.equal(service.rulebook.status.status, 'adopted');
      assert.equal((await service.rulebook.store.current()).hash, shipped.hash);
      const response = await request(service.app.callback()).get('/api/v1/rulebook').expect(200);
      assert.equal(response.body.version, '1.1.0');
    } finally {
      await service.close();
    }
  });

  it('does not start on a bad rulebook file, naming it', async () => {
    const document = shippedDocument();
    delete document.decisions.revoke;
    const { dir, remove } = directoryWith({ 'rulebook.json': document });
    try {
      await assert.rejects(
        openTestService(await fresh(), { RULEBOOK_DIR: dir }),
        (error) =>
          error instanceof RulebookError &&
          error.code === 'rulebook_invalid' &&
          error.message.includes(`${dir}/rulebook.json`),
      );
    } finally {
      remove();
    }
  });

  it('starts with a file proposing a new version, keeping the adopted one in force', async () => {
    const database = await fresh();
    const first = await openTestService(database);
    await first.close();
    const { dir, remove } = directoryWith({ 'rulebook.json': { ...shippedDocument(), version: '1.2.0' } });
    try {
      const service = await openTestService(database, { RULEBOOK_DIR: dir });
      try {
        assert.equal(service.rulebook.status.status, 'proposed');
        assert.equal(service.rulebook.file.version, '1.2.0');
        assert.equal((await service.rulebook.store.current()).version, '1.1.0');
      } finally {
        await service.close();
      }
    } finally {
      remove();
    }
  });
});
