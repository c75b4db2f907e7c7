/**
 * The audit log: the append-only, hash-chained record of every governance event, with
 * checkpoints signed by the service DID. Governance appends in the transaction of each
 * decision; anyone can read the log and a checkpoint, and recompute every hash.
 */
export {
  canonicalEntry,
  canonicalJson,
  entryHash,
  GENESIS_HASH,
  type HashedFields,
  type JsonValue,
} from './canonical.js';
export {
  type AuditCheckpoint,
  type AuditHead,
  CHECKPOINT_TYP,
  parseCheckpoint,
  type StoredCheckpoint,
} from './checkpoint.js';
export { AUDIT_ENTITIES } from './entities.js';
export { AuditError, type AuditErrorCode, isAppendOnlyViolation } from './errors.js';
export { type AuditEvent, MAX_DATA_LENGTH } from './event.js';
export {
  buildKeyring,
  KEY_HISTORY_TYP,
  KEY_ROTATION_KIND,
  type KeyDocument,
  type Keyring,
  type KnownKey,
  keyRotationEvent,
  type RotationFacts,
} from './keyring.js';
export { AuditLog, type AuditLogOptions, type AuditPage, type PageOptions } from './log.js';
export { type RemoteLog, readKeptCheckpoint, verifyRemoteLog } from './remote.js';
export { auditRoutes, MAX_PAGE_LIMIT } from './routes.js';
export {
  type AuditEntry,
  type ChainInvalid,
  type ChainProblem,
  type ChainValid,
  type ChainVerification,
  ChainWalker,
  LOOKAHEAD,
  verifyChain,
} from './verify-chain.js';
export {
  type AuditLogInvalid,
  type AuditLogProblem,
  type AuditLogValid,
  type AuditVerification,
  type LogSource,
  type VerifyLogOptions,
  verifyLog,
} from './verify-log.js';
