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
 * a 503 for each); a key holding U+0000, which no PostgreSQL text can hold, is answered with
 * no rows without joining a batch.
 *
 * On SQLite there is no round trip to save (the driver is in-process and synchronous): each
 * lookup is its own prepared read.
 *
 * The statement takes one array per key part; its rows must carry the key's columns (`keyOf`).
 *
 * A request's database deadline (src/db/deadline.ts) bounds each caller: the statement runs
 * under the latest deadline of its callers (none when one of them has none), and a caller whose
 * deadline comes earlier stops waiting at its own, with `DatabaseDeadlineExceededError`.
 */
import type { DataSource } from 'typeorm';
import {
  DatabaseDeadlineExceededError,
  databaseDeadline,
  outsideDatabaseDeadline,
  withDatabaseDeadline,
} from './deadline.js';
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
  /** The caller's database deadline (epoch ms), undefined outside a request. */
  readonly deadline: number | undefined;
}

interface Pending<Row> {
  readonly parts: readonly string[];
  waiters: Waiter<Row>[];
}

/** The waiter, failed with `DatabaseDeadlineExceededError` at its own deadline if still waiting. */
function ownTimer<Row>(waiter: Waiter<Row>): Waiter<Row> {
  const timer = setTimeout(
    () => waiter.reject(new DatabaseDeadlineExceededError()),
    Math.max(0, (waiter.deadline as number) - Date.now()),
  );
  return {
    deadline: waiter.deadline,
    resolve: (rows) => {
      clearTimeout(timer);
      waiter.resolve(rows);
    },
    reject: (error) => {
      clearTimeout(timer);
      waiter.reject(error);
    },
  };
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
    // PostgreSQL text cannot hold U+0000, so no row has such a key; sent, it would fail the
    // statement (SQLSTATE 22021) for every caller of the batch. The edge refuses NUL already
    // (src/http/nul.ts): this keeps one caller's input from reaching the others.
    if (parts.some((part) => part.includes('\u0000'))) return Promise.resolve([]);
    return new Promise<Row[]>((resolve, reject) => {
      const id = identity(parts);
      const waiter = { resolve, reject, deadline: databaseDeadline() };
      if (waiter.deadline !== undefined && waiter.deadline <= Date.now()) {
        reject(new DatabaseDeadlineExceededError());
        return;
      }
      const pending = this.pending.get(id);
      if (pending) pending.waiters.push(waiter);
      else this.pending.set(id, { parts, waiters: [waiter] });
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
      this.runBounded(batch);
    }
  }

  /**
   * Runs the batch under the latest deadline of its callers; callers whose deadline is earlier
   * get a timer of their own (none in the common case of one caller, or of callers of one turn
   * that all share the latest deadline).
   */
  private runBounded(batch: Map<string, Pending<Row>>): void {
    let latest: number | undefined = 0;
    for (const pending of batch.values())
      for (const { deadline } of pending.waiters)
        latest = deadline === undefined || latest === undefined ? undefined : Math.max(latest, deadline);
    if (latest === undefined) {
      void outsideDatabaseDeadline(() => this.run(batch));
      return;
    }
    for (const pending of batch.values())
      pending.waiters = pending.waiters.map((waiter) =>
        waiter.deadline !== undefined && waiter.deadline < (latest as number) ? ownTimer(waiter) : waiter,
      );
    void withDatabaseDeadline(latest, () => this.run(batch));
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
