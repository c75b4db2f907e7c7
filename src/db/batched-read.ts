/**
 * A hot read by one key, coalesced: the lookups that arrive within one turn of the event loop
 * go to PostgreSQL as one named statement over all their keys (`key = ANY($1)`), and each caller
 * gets the rows of its own key.
 *
 * Under load, connector checks arrive on many sockets at once, and each lookup through the pool
 * costs a round trip: a write and a read on the socket for the service, and a Bind/Execute with its
 * wake-up for the server. One statement over the keys of a turn costs about as much as one of
 * them (the index is walked once per key either way), so the database and the service do less
 * per check the busier they are. With one lookup in a turn, the batch is that lookup: nothing
 * waits longer than the turn it arrived in (a `setImmediate`, after the poll phase that read the
 * requests).
 *
 * Freshness is a plain read's: the statement runs after every caller of its batch has asked, so
 * each sees at least what was committed when it asked. Nothing is cached between batches.
 * A failing statement fails every caller of its batch with the driver's error (an outage stays
 * a 503 for each).
 *
 * On SQLite there is no round trip to save (the driver is in-process and synchronous): each
 * lookup is its own prepared read.
 *
 * The statement's text takes the keys as `$1` (an array); its rows must carry the key column.
 */
import type { DataSource } from 'typeorm';
import { type PreparedRead, preparedRead } from './prepared.js';
import { isPostgres } from './transactions.js';

export interface BatchedReadStatement {
  /** The PostgreSQL statement over many keys: `… WHERE key = ANY($1) …`, named once. */
  readonly many: PreparedRead;
  /** The same read for one key (`… WHERE key = $1 …`), for SQLite. */
  readonly one: PreparedRead;
  /** The column of `many`'s rows that holds the key. */
  readonly keyColumn: string;
}

/** At most this many keys per statement; a busier turn sends several statements. */
export const MAX_KEYS_PER_BATCH = 64;

interface Waiter<Row> {
  readonly resolve: (rows: Row[]) => void;
  readonly reject: (error: unknown) => void;
}

interface QueryablePool {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

export class BatchedRead<Row extends Record<string, unknown>> {
  private pending = new Map<string, Waiter<Row>[]>();
  private scheduled = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly statement: BatchedReadStatement,
  ) {}

  /** The rows of `key`, read by the next statement of this turn. */
  read(key: string): Promise<Row[]> {
    if (!isPostgres(this.dataSource)) return preparedRead<Row>(this.dataSource, this.statement.one, [key]);
    return new Promise<Row[]>((resolve, reject) => {
      const waiters = this.pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.size > 0) {
      const batch = new Map<string, Waiter<Row>[]>();
      for (const [key, waiters] of this.pending) {
        if (batch.size === MAX_KEYS_PER_BATCH) break;
        batch.set(key, waiters);
      }
      for (const key of batch.keys()) this.pending.delete(key);
      void this.run(batch);
    }
  }

  private async run(batch: Map<string, Waiter<Row>[]>): Promise<void> {
    let rows: Row[];
    try {
      const pool = (this.dataSource.driver as unknown as { master?: QueryablePool }).master;
      if (!pool) throw new Error('the PostgreSQL data source is not initialised');
      const { many } = this.statement;
      rows = (await pool.query({ name: many.name, text: many.text, values: [[...batch.keys()]] }))
        .rows as Row[];
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
      return;
    }
    const byKey = new Map<string, Row[]>();
    for (const row of rows) {
      const key = row[this.statement.keyColumn];
      if (typeof key !== 'string' || !batch.has(key)) continue;
      const list = byKey.get(key);
      if (list) list.push(row);
      else byKey.set(key, [row]);
    }
    for (const [key, waiters] of batch) {
      const own = byKey.get(key) ?? [];
      for (const waiter of waiters) waiter.resolve(own);
    }
  }
}
