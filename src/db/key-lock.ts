/**
 * Transactions about one key taking turns: the first statement of each takes a lock on
 * (`lockClass`, the key), held until it commits or rolls back, so that the second reads what the
 * first wrote instead of racing it (and instead of the two taking row locks in different orders,
 * which PostgreSQL ends with a deadlock error). PostgreSQL: a transaction-level advisory lock on
 * `(lockClass, hashtext(key))` (two keys with the same hash merely take turns too). SQLite: nothing
 * to do, its transactions take the write lock first (inTransaction).
 *
 * `lockClass` is an arbitrary fixed int4 per kind of key, so that keys of different kinds never
 * wait for each other.
 */
import type { EntityManager } from 'typeorm';
import { isPostgres } from './transactions.js';

export async function lockKey(manager: EntityManager, lockClass: number, key: string): Promise<void> {
  if (isPostgres(manager.connection))
    await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [lockClass, key]);
}
