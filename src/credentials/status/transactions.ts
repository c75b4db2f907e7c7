/*
 * Status lists use the service-wide transaction queue: on SQLite every database use of the
 * service must share one queue (see src/db/transactions.ts for why).
 */
export { exclusive, inTransaction, isPostgres, reading } from '../../db/transactions.js';
