export {
  createDataSource,
  type DatabaseKind,
  type DatabaseOptions,
  databaseKind,
  migrate,
  pingDatabase,
  SQLITE_FILE_NAME,
} from './data-source.js';
export { isUniqueViolation } from './errors.js';
export { MIGRATIONS } from './migrations/index.js';
export { type SweepTarget, startSweeper, sweepExpired } from './sweep.js';
export { exclusive, inTransaction, isPostgres, reading } from './transactions.js';
