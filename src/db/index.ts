export {
  BackupError,
  type BackupErrorCode,
  type BackupSummary,
  backupSqlite,
  checkBackup,
  IN_USE_LOCK_FILE,
  markInUse,
  restoreSqlite,
} from './backup.js';
export { BatchedRead, type BatchedReadStatement, MAX_KEYS_PER_BATCH } from './batched-read.js';
export {
  createDataSource,
  type DatabaseKind,
  type DatabaseOptions,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  databaseKind,
  migrate,
  pingDatabase,
  postgresClientBounds,
  SQLITE_FILE_NAME,
} from './data-source.js';
export {
  CommitOutcomeUnknownError,
  DATABASE_CONNECTION_LOST,
  DatabaseConnectionLostError,
  isCommitOutcomeUnknown,
  isDatabaseUnavailable,
  isUniqueViolation,
  isUnstorableCharacter,
} from './errors.js';
export { boundedProbe, DatabaseHealth, type DatabaseHealthOptions } from './health.js';
export { lockKey } from './key-lock.js';
export { MIGRATIONS } from './migrations/index.js';
export { type PreparedRead, preparedRead } from './prepared.js';
export { STARTUP_LOCK_FILE, StartupLockTimeoutError, withStartupLock } from './startup-lock.js';
export { initializeWithRetries, type StartupRetryOptions } from './startup-retries.js';
export { type SweepTarget, startSweeper, sweepExpired } from './sweep.js';
export { exclusive, inTransaction, isPostgres, reading } from './transactions.js';
