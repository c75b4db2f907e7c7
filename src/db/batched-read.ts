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
 * The statement takes one array per key part; its rows must carry the key's columns (`keyOf`).
 */
import type { DataSource } from 'typeorm';
import { type PreparedRead, preparedRead } from './prepared.js';
import { isPostgres } from './transactions.js';

export interface BatchedReadStatement<Row> {
  /**
   * The PostgreSQL statement over many keys, one array parameter per part of the key:
   * `… WHERE key = ANY($1)`, or for a key of several parts
   * `… JOIN unnest($1::text[], $2::text[]) AS k(a, b) ON t.a = k.a AND t.b = k.b`.
   */
  readonly many: PreparedRead;
  /** The same read for one key (`… WHERE a = $1 AND b = $2 …`), for SQLite. */
  readonly one: PreparedRead;
  /** The key parts of a row of `many`, in the order of its parameters. */
  readonly keyOf: (row: Row) => readonly unknown[];
}

/** At most this many keys per statement; a busier turn sends several statements. */
export const MAX_KEYS_PER_BATCH = 64;

interface Waiter<Row> {
  readonly resolve: (rows: Row[]) => void;
  readonly reject: (error: unknown) => void;
}

interface Pending<Row> {
  readonly parts: readonly string[];
  readonly waiters: Waiter<Row>[];
}

interface QueryablePool {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

/** One string per key, whatever its parts contain. */
const identity = (parts: readonly unknown[]) => JSON.stringify(parts);

export class BatchedRead<Row extends Record<string, unknown>> {
  private pending = new Map<string, Pending<Row>>();
  private scheduled = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly statement: BatchedReadStatement<Row>,
  ) {}

  /** The rows of the key made of `parts`, read by the next statement of this turn. */
  read(...parts: string[]): Promise<Row[]> {
    if (!isPostgres(this.dataSource)) return preparedRead<Row>(this.dataSource, this.statement.one, parts);
    return new Promise<Row[]>((resolve, reject) => {
      const id = identity(parts);
      const pending = this.pending.get(id);
      if (pending) pending.waiters.push({ resolve, reject });
      else this.pending.set(id, { parts, waiters: [{ resolve, reject }] });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.size > 0) {
      const batch = new Map<string, Pending<Row>>();
      for (const [id, pending] of this.pending) {
        if (batch.size === MAX_KEYS_PER_BATCH) break;
        batch.set(id, pending);
      }
      for (const id of batch.keys()) this.pending.delete(id);
      void this.run(batch);
    }
  }

  private async run(batch: Map<string, Pending<Row>>): Promise<void> {
    let rows: Row[];
    try {
      const pool = (this.dataSource.driver as unknown as { master?: QueryablePool }).master;
      if (!pool) throw new Error('the PostgreSQL data source is not initialised');
      const keys = [...batch.values()].map((pending) => pending.parts);
      const width = keys[0]?.length ?? 0;
      // One array per key part: $1 holds every key's first part, $2 every second part, …
      const values = Array.from({ length: width }, (_, part) => keys.map((key) => key[part]));
      const { many } = this.statement;
      rows = (await pool.query({ name: many.name, text: many.text, values })).rows as Row[];
    } catch (error) {
      for (const pending of batch.values()) for (const waiter of pending.waiters) waiter.reject(error);
      return;
    }
    const byKey = new Map<string, Row[]>();
    for (const row of rows) {
      const id = identity(this.statement.keyOf(row));
      if (!batch.has(id)) continue;
      const list = byKey.get(id);
      if (list) list.push(row);
      else byKey.set(id, [row]);
    }
    for (const [id, pending] of batch) {
      const own = byKey.get(id) ?? [];
      for (const waiter of pending.waiters) waiter.resolve(own);
    }
  }
}
