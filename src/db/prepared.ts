/**
 * The hot reads of connector checks (the consent check, the agreement check) as named prepared
 * statements, straight on the driver.
 *
 * Each check is one indexed SELECT asked thousands of times per second with the same text. Through
 * `manager.query()` every call costs a TypeORM query runner (created, connected, released, with
 * its before/after query events) and, on PostgreSQL, a Parse and a plan of the same text on the
 * server. A named statement (`{ name, text, values }` in `pg`) is parsed and planned once per
 * pooled connection and then only bound and executed: the server does less per check, and the
 * service skips the runner. The rows are the same; errors are the driver's own (their SQLSTATE
 * and socket codes are what `isDatabaseUnavailable` reads, so an outage is still a 503).
 *
 * On SQLite the statement goes through the data source's queue (`exclusive`) like every other
 * use of the single connection; better-sqlite3 caches prepared statements itself.
 *
 * Only for reads that need no transaction: a read that must see the transaction's own writes or
 * lock rows stays on the transaction's manager.
 */
import type { DataSource } from 'typeorm';
import { exclusive, isPostgres } from './transactions.js';

/** A read statement with PostgreSQL placeholders (`$1`, `$2`, …) and a name unique in the service. */
export interface PreparedRead {
  /** The server-side statement name; one name, one text, for the life of the process. */
  readonly name: string;
  /** The SQL with `$n` placeholders; each `$n` is used once and in order. */
  readonly text: string;
}

/** The part of `pg.Pool` used here (TypeORM's PostgreSQL driver keeps its pool as `master`). */
interface QueryablePool {
  query(config: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: unknown[] }>;
}

const PLACEHOLDER = /\$\d+/g;
const sqliteText = new WeakMap<PreparedRead, string>();

/** Runs `statement` with `values` outside any transaction and returns its rows. */
export async function preparedRead<Row>(
  dataSource: DataSource,
  statement: PreparedRead,
  values: readonly unknown[],
): Promise<Row[]> {
  if (isPostgres(dataSource)) {
    const pool = (dataSource.driver as unknown as { master?: QueryablePool }).master;
    if (!pool) throw new Error('the PostgreSQL data source is not initialised');
    const { rows } = await pool.query({ name: statement.name, text: statement.text, values });
    return rows as Row[];
  }
  let text = sqliteText.get(statement);
  if (text === undefined) {
    text = statement.text.replace(PLACEHOLDER, '?');
    sqliteText.set(statement, text);
  }
  const sql = text;
  return exclusive(dataSource, () => dataSource.query(sql, [...values]) as Promise<Row[]>);
}
