/**
 * A coalesced hot read (src/db/batched-read.ts): the lookups of one event-loop turn go to
 * PostgreSQL as one statement over their keys, and each caller gets the rows of its own key,
 * never another's; a read sees what was committed before it was asked; a failing statement
 * fails every caller of its batch with the driver's error. On SQLite each lookup is its own read.
 */
import { strict as assert } from 'node:assert';
import type { DataSource } from 'typeorm';
import {
  BatchedRead,
  type BatchedReadStatement,
  createDataSource,
  MAX_KEYS_PER_BATCH,
} from '../../src/db/index.js';
import { describeEachDatabase } from '../support/databases.js';

interface Row extends Record<string, unknown> {
  k: string;
  v: number | string;
}

const BY_KEY: BatchedReadStatement<Row> = {
  many: { name: 'test_batched_many', text: 'SELECT k, v FROM test_batched WHERE k = ANY($1) ORDER BY v' },
  one: { name: 'test_batched_one', text: 'SELECT k, v FROM test_batched WHERE k = $1 ORDER BY v' },
  keyOf: (row) => [row.k],
};

describeEachDatabase('a batched read', (fresh, kind) => {
  let dataSource: DataSource;
  let read: BatchedRead<Row>;
  before(async () => {
    const database = await fresh();
    dataSource = createDataSource({ ...database, entities: [], poolSize: 3 });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE test_batched (k VARCHAR(64) NOT NULL, v INTEGER NOT NULL)');
    // key i has i % 3 rows: none, one or two.
    for (let i = 0; i < 150; i++)
      for (let j = 0; j < i % 3; j++)
        await dataSource.query(
          kind === 'postgres'
            ? 'INSERT INTO test_batched VALUES ($1, $2)'
            : 'INSERT INTO test_batched VALUES (?, ?)',
          [`key-${i}`, i * 10 + j],
        );
    read = new BatchedRead<Row>(dataSource, BY_KEY);
  });
  after(async () => dataSource?.destroy());

  it('answers each of many concurrent callers with the rows of its own key only (none, one, two; the same key twice)', async () => {
    const keys = [...Array.from({ length: 150 }, (_, i) => `key-${i}`), 'key-4', 'key-5', 'absent'];
    const answers = await Promise.all(keys.map((key) => read.read(key)));
    answers.forEach((rows, n) => {
      const key = keys[n] as string;
      const i = key === 'absent' ? 0 : Number(key.slice(4));
      assert.equal(rows.length, i % 3, key);
      rows.forEach((row, j) => {
        assert.equal(row.k, key);
        assert.equal(Number(row.v), i * 10 + j);
      });
    });
  });

  it('sees what was committed before it was asked, and nothing cached from an earlier batch', async () => {
    assert.equal((await read.read('late')).length, 0);
    const insert =
      kind === 'postgres'
        ? 'INSERT INTO test_batched VALUES ($1, $2)'
        : 'INSERT INTO test_batched VALUES (?, ?)';
    await dataSource.query(insert, ['late', 1]);
    assert.deepEqual(
      (await read.read('late')).map((row) => Number(row.v)),
      [1],
    );
    await dataSource.query(
      kind === 'postgres' ? 'DELETE FROM test_batched WHERE k = $1' : 'DELETE FROM test_batched WHERE k = ?',
      ['late'],
    );
    assert.equal((await read.read('late')).length, 0);
  });

  it('reads keys of several parts: each caller gets the rows of its own pair only', async () => {
    const byPair = new BatchedRead<Row>(dataSource, {
      many: {
        name: 'test_batched_pairs',
        text: 'SELECT t.k, t.v FROM test_batched t JOIN unnest($1::text[], $2::int[]) AS q(k, v) ON t.k = q.k AND t.v = q.v',
      },
      one: {
        name: 'test_batched_pair',
        text: 'SELECT k, v FROM test_batched WHERE k = $1 AND v = CAST($2 AS INTEGER)',
      },
      keyOf: (row) => [row.k, String(row.v)],
    });
    // key-2 has rows 20 and 21; key-5 has 50 and 51; (key-2, 50) crosses them and matches nothing.
    const pairs: [string, string][] = [
      ['key-2', '20'],
      ['key-2', '21'],
      ['key-5', '50'],
      ['key-2', '50'],
      ['key-5', '21'],
    ];
    const answers = await Promise.all(pairs.map(([k, v]) => byPair.read(k, v)));
    assert.deepEqual(
      answers.map((rows) => rows.map((row) => `${row.k}/${row.v}`)),
      [['key-2/20'], ['key-2/21'], ['key-5/50'], [], []],
    );
  });

  if (kind === 'postgres') {
    it(`sends the lookups of one turn as one statement per ${MAX_KEYS_PER_BATCH} keys`, async () => {
      const pool = (dataSource.driver as unknown as { master: { query: (...args: unknown[]) => unknown } })
        .master;
      const original = pool.query;
      const statements: unknown[][] = [];
      pool.query = function (this: unknown, ...args: unknown[]) {
        statements.push(((args[0] as { values: unknown[][] }).values[0] ?? []) as unknown[]);
        return original.apply(this, args);
      };
      try {
        await Promise.all(Array.from({ length: 100 }, (_, i) => read.read(`key-${i}`)));
        assert.deepEqual(
          statements.map((keys) => keys.length),
          [MAX_KEYS_PER_BATCH, 100 - MAX_KEYS_PER_BATCH],
        );
        statements.length = 0;
        await read.read('key-1');
        await read.read('key-2');
        assert.deepEqual(statements, [['key-1'], ['key-2']]);
      } finally {
        pool.query = original;
      }
    });

    it('answers a key holding U+0000 with no rows, outside the batch: the other callers of its turn get theirs', async () => {
      const pool = (dataSource.driver as unknown as { master: { query: (...args: unknown[]) => unknown } })
        .master;
      const original = pool.query;
      const statements: unknown[][] = [];
      pool.query = function (this: unknown, ...args: unknown[]) {
        statements.push(((args[0] as { values: unknown[][] }).values[0] ?? []) as unknown[]);
        return original.apply(this, args);
      };
      try {
        const answers = await Promise.all(['key-1', 'key-\u0000', 'key-2'].map((key) => read.read(key)));
        assert.deepEqual(
          answers.map((rows) => rows.length),
          [1, 0, 2],
        );
        assert.deepEqual(statements, [['key-1', 'key-2']]);
      } finally {
        pool.query = original;
      }
    });

    it('fails every caller of a failing statement with the driver error, and the next batch works', async () => {
      const broken = new BatchedRead<Row>(dataSource, {
        ...BY_KEY,
        many: {
          name: 'test_batched_broken',
          text: 'SELECT k, v FROM test_batched_missing WHERE k = ANY($1)',
        },
      });
      const outcomes = await Promise.allSettled(['key-1', 'key-2', 'key-1'].map((key) => broken.read(key)));
      for (const outcome of outcomes) {
        assert.equal(outcome.status, 'rejected');
        assert.equal((outcome as PromiseRejectedResult).reason.code, '42P01'); // undefined_table
      }
      assert.equal((await read.read('key-1')).length, 1);
    });
  }
});
