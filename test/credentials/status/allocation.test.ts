import { strict as assert } from 'node:assert';
import type { DataSource } from 'typeorm';
import { StatusService } from '../../../src/credentials/status/index.js';
import { describeEachDatabase } from '../../support/databases.js';
import { migratedDataSource, refusalCode } from './support.js';

const PUBLIC_URL = 'http://localhost:3000';

interface ListRow {
  id: string;
  sequence: number;
  size: number;
  allocated: number;
}

async function lists(dataSource: DataSource, purpose: string): Promise<ListRow[]> {
  const rows = await dataSource.query(
    `SELECT id, sequence, size, allocated FROM status_list WHERE purpose = '${purpose}' ORDER BY sequence`,
  );
  return (rows as ListRow[]).map((row) => ({
    id: row.id,
    sequence: Number(row.sequence),
    size: Number(row.size),
    allocated: Number(row.allocated),
  }));
}

async function entryCount(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query('SELECT COUNT(*) AS n FROM status_entry');
  return Number(row.n);
}

function distinctPlaces(allocations: readonly { listId: string; index: number }[]): number {
  return new Set(allocations.map((a) => `${a.listId}#${a.index}`)).size;
}

describeEachDatabase('Bitstring Status List §2.1 statusListIndex: allocation', (fresh) => {
  let dataSource: DataSource;
  beforeEach(async () => {
    dataSource = await migratedDataSource(await fresh());
  });
  afterEach(async () => {
    await dataSource.destroy();
  });

  it('hands out 500 distinct indexes to 500 concurrent issuances', async function () {
    this.timeout(60_000);
    const service = new StatusService({ dataSource, publicUrl: PUBLIC_URL });
    const allocations = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        service.allocate({ purpose: 'revocation', credentialId: `urn:uuid:c-${i}` }),
      ),
    );
    assert.equal(distinctPlaces(allocations), 500);
    assert.equal(await entryCount(dataSource), 500);
    const [list, ...others] = await lists(dataSource, 'revocation');
    assert.equal(others.length, 0, 'one list is enough');
    assert.equal(list?.allocated, 500);
    assert.equal(list?.size, 131_072);
  });

  it('assigns indexes at random positions, not in the order of issuance', async () => {
    const service = new StatusService({ dataSource, publicUrl: PUBLIC_URL });
    const indexes: number[] = [];
    for (let i = 0; i < 20; i++) {
      indexes.push(
        (await service.allocate({ purpose: 'suspension', credentialId: `urn:uuid:r-${i}` })).index,
      );
    }
    const ascending = [...indexes].sort((a, b) => a - b);
    assert.notDeepEqual(indexes, ascending, 'not increasing');
    assert.ok(Math.max(...indexes) > 1000, 'spread over the list, not packed at its start');
  });

  it('allocateEntries answers a revocation and a suspension entry that point at the published list', async () => {
    const service = new StatusService({ dataSource, publicUrl: `${PUBLIC_URL}/` });
    const entries = await service.allocateEntries({ credentialId: 'urn:uuid:e-1' });
    assert.deepEqual(
      entries.map((entry) => entry.statusPurpose),
      ['revocation', 'suspension'],
    );
    for (const entry of entries) {
      assert.equal(entry.type, 'BitstringStatusListEntry');
      assert.match(entry.statusListCredential, /^http:\/\/localhost:3000\/status\/[A-Za-z0-9_-]{22}$/);
      assert.match(entry.statusListIndex, /^(0|[1-9][0-9]*)$/);
      assert.equal(entry.id, `${entry.statusListCredential}#${entry.statusListIndex}`);
      assert.notEqual(entry.id, entry.statusListCredential, '§2.1: the entry id is not the list URL');
    }
    assert.notEqual(
      entries[0]?.statusListCredential,
      entries[1]?.statusListCredential,
      'one list per purpose',
    );
    assert.deepEqual(await service.statusEntriesFor('urn:uuid:e-1'), entries);
  });

  it('answers the same entries when asked again for the same credential', async () => {
    const service = new StatusService({ dataSource, publicUrl: PUBLIC_URL });
    const first = await service.allocateEntries({ credentialId: 'urn:uuid:same' });
    const again = await Promise.all([
      service.allocateEntries({ credentialId: 'urn:uuid:same' }),
      service.allocateEntries({ credentialId: 'urn:uuid:same' }),
    ]);
    for (const entries of again) assert.deepEqual(entries, first);
    assert.equal(await entryCount(dataSource), 2);
    const [list] = await lists(dataSource, 'revocation');
    assert.equal(list?.allocated, 1);
  });

  it('opens a new list once the current one is three quarters full', async () => {
    const service = new StatusService({ dataSource, publicUrl: PUBLIC_URL, listSize: 16 });
    const allocations = [];
    for (let i = 0; i < 30; i++) {
      allocations.push(await service.allocate({ purpose: 'revocation', credentialId: `urn:uuid:f-${i}` }));
    }
    assert.equal(distinctPlaces(allocations), 30);
    assert.deepEqual(
      (await lists(dataSource, 'revocation')).map((list) => [list.sequence, list.allocated]),
      [
        [1, 12],
        [2, 12],
        [3, 6],
      ],
    );
    for (const allocation of allocations) assert.ok(allocation.index >= 0 && allocation.index < 16);
  });

  it('opens exactly the lists needed when concurrent issuances fill small lists', async function () {
    this.timeout(60_000);
    const service = new StatusService({ dataSource, publicUrl: PUBLIC_URL, listSize: 16 });
    const allocations = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        service.allocate({ purpose: 'revocation', credentialId: `urn:uuid:g-${i}` }),
      ),
    );
    assert.equal(distinctPlaces(allocations), 100);
    const opened = await lists(dataSource, 'revocation');
    assert.deepEqual(
      opened.map((list) => list.sequence),
      Array.from({ length: 9 }, (_, i) => i + 1),
    );
    for (const list of opened)
      assert.ok(list.allocated <= 12, `list ${list.sequence} holds ${list.allocated}`);
    assert.equal(
      opened.reduce((sum, list) => sum + list.allocated, 0),
      100,
    );
  });

  it('allocates inside the caller’s transaction: rolled back with it', async () => {
    const service = new StatusService({ dataSource, publicUrl: PUBLIC_URL });
    await assert.rejects(
      dataSource.transaction(async (manager) => {
        await service.allocateEntries({ credentialId: 'urn:uuid:rolled-back', manager });
        throw new Error('the issuance failed');
      }),
      /the issuance failed/,
    );
    assert.deepEqual(await service.statusEntriesFor('urn:uuid:rolled-back'), []);
    assert.equal(await entryCount(dataSource), 0);
  });

  it('allocates inside the caller’s transaction: committed with it', async () => {
    const service = new StatusService({ dataSource, publicUrl: PUBLIC_URL });
    const entries = await dataSource.transaction((manager) =>
      service.allocateEntries({ credentialId: 'urn:uuid:committed', manager }),
    );
    assert.deepEqual(await service.statusEntriesFor('urn:uuid:committed'), entries);
  });

  it('refuses an unknown purpose with invalid_purpose', async () => {
    const service = new StatusService({ dataSource, publicUrl: PUBLIC_URL });
    const purpose = 'message' as 'revocation';
    assert.equal(
      await refusalCode(service.allocate({ purpose, credentialId: 'urn:uuid:x' })),
      'invalid_purpose',
    );
  });

  it('refuses an empty or oversized credential id with invalid_credential_id', async () => {
    const service = new StatusService({ dataSource, publicUrl: PUBLIC_URL });
    assert.equal(await refusalCode(service.allocateEntries({ credentialId: '' })), 'invalid_credential_id');
    assert.equal(
      await refusalCode(service.allocate({ purpose: 'revocation', credentialId: 'x'.repeat(501) })),
      'invalid_credential_id',
    );
  });

  it('refuses a list size that is not a positive multiple of 8 with invalid_size', async () => {
    await assert.rejects(
      async () => new StatusService({ dataSource, publicUrl: PUBLIC_URL, listSize: 100 }),
      (error: { code?: string }) => error.code === 'invalid_size',
    );
  });
});
