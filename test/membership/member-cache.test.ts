/**
 * The per-replica cache of member rows (src/membership/member-cache.ts): on PostgreSQL a row is
 * served from memory only while announcements can be relied on, and an announced change drops
 * it on every replica when it commits; on SQLite nothing is cached.
 */
import { strict as assert } from 'node:assert';
import { DataSource } from 'typeorm';
import { announceMemberChange, MemberCache } from '../../src/membership/member-cache.js';
import { createPostgresDatabase, isPostgresAvailable } from '../support/databases.js';

const DID = 'did:web:city.example';

describe('the member cache on PostgreSQL: announced changes, never a stale status', () => {
  let url: string;
  let drop: () => Promise<void> = async () => {};
  let writer: DataSource;

  before(async function () {
    if (!(await isPostgresAvailable())) this.skip();
    const database = await createPostgresDatabase();
    url = database.url;
    drop = database.drop;
    writer = new DataSource({ type: 'postgres', url });
    await writer.initialize();
  });
  after(async () => {
    if (writer?.isInitialized) await writer.destroy();
    await drop();
  });

  function countingCache(status: { value: string }) {
    let loads = 0;
    const cache = new MemberCache({
      databaseUrl: url,
      load: async () => {
        loads += 1;
        return { status: status.value };
      },
    });
    return { cache, loads: () => loads };
  }

  it('reads a member once, then serves it from memory', async () => {
    const { cache, loads } = countingCache({ value: 'active' });
    try {
      await cache.ready();
      await waitForConfirmation();
      assert.deepEqual(await cache.find(DID), { status: 'active' });
      assert.deepEqual(await cache.find(DID), { status: 'active' });
      assert.equal(loads(), 1);
    } finally {
      await cache.close();
    }
  });

  it('drops the row on every replica when a change is committed, and reads the new status', async () => {
    const status = { value: 'active' };
    const a = countingCache(status);
    const b = countingCache(status);
    try {
      await Promise.all([a.cache.ready(), b.cache.ready()]);
      await waitForConfirmation();
      await a.cache.find(DID);
      await b.cache.find(DID);
      status.value = 'suspended';
      await writer.transaction((manager) => announceMemberChange(manager, DID));
      await waitFor(async () => (await a.cache.find(DID))?.status === 'suspended');
      await waitFor(async () => (await b.cache.find(DID))?.status === 'suspended');
    } finally {
      await a.cache.close();
      await b.cache.close();
    }
  });

  it('announces nothing for a change rolled back', async () => {
    const { cache, loads } = countingCache({ value: 'active' });
    try {
      await cache.ready();
      await waitForConfirmation();
      await cache.find(DID);
      await assert.rejects(
        writer.transaction(async (manager) => {
          await announceMemberChange(manager, DID);
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      await cache.find(DID);
      assert.equal(loads(), 1);
    } finally {
      await cache.close();
    }
  });

  it('reads the database on every lookup once its listening connection is gone', async () => {
    const { cache, loads } = countingCache({ value: 'active' });
    await cache.ready();
    await waitForConfirmation();
    await cache.find(DID);
    await cache.close();
    await cache.find(DID);
    await cache.find(DID);
    assert.equal(loads(), 3);
  });
});

describe('the member cache on SQLite (no announcements): no caching', () => {
  it('reads the database on every lookup', async () => {
    let loads = 0;
    const cache = new MemberCache({
      databaseUrl: undefined,
      load: async () => {
        loads += 1;
        return { status: 'active' };
      },
    });
    await cache.find(DID);
    await cache.find(DID);
    assert.equal(loads, 2);
    await cache.close();
  });
});

/** The listener proves its connection alive right after LISTEN; give it a moment. */
async function waitForConfirmation(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 100));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
