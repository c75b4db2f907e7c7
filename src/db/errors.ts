import { DATABASE_DEADLINE_EXCEEDED } from './deadline.js';

/** The stable code of CommitOutcomeUnknownError; `isDatabaseUnavailable` reads it. */
export const COMMIT_OUTCOME_UNKNOWN = 'COMMIT_OUTCOME_UNKNOWN';

/**
 * A COMMIT was sent, but its answer did not arrive (the connection dropped, or the database
 * stalled past the statement bound): the transaction may or may not have been applied, and no
 * one can tell until the database answers again (a stalled server can still commit when it
 * resumes). An outage (503) whose answer says so (`commit_outcome_unknown`), so that a caller
 * reads before it repeats a write that is not idempotent.
 */
export class CommitOutcomeUnknownError extends Error {
  override readonly name = 'CommitOutcomeUnknownError';
  readonly code = COMMIT_OUTCOME_UNKNOWN;
  constructor(cause: unknown) {
    super('the database did not confirm the COMMIT: the transaction may or may not have been applied', {
      cause,
    });
  }
}

/** The stable code of DatabaseConnectionLostError; `isDatabaseUnavailable` reads it. */
export const DATABASE_CONNECTION_LOST = 'DATABASE_CONNECTION_LOST';

/**
 * The connection of a transaction died while no statement of it was running (a terminated
 * backend, a dropped socket) and the transaction's next statement was refused: TypeORM releases
 * the query runner of a connection that fails, and then answers QueryRunnerAlreadyReleasedError.
 * No COMMIT was sent: the server rolled the transaction back. An outage (503). `cause` is the
 * connection's own error.
 */
export class DatabaseConnectionLostError extends Error {
  override readonly name = 'DatabaseConnectionLostError';
  readonly code = DATABASE_CONNECTION_LOST;
  constructor(cause: unknown) {
    super('the database connection of the transaction was lost: nothing was committed', { cause });
  }
}

/** True when `error` (or one of its causes) is CommitOutcomeUnknownError. */
export function isCommitOutcomeUnknown(error: unknown): boolean {
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.code === COMMIT_OUTCOME_UNKNOWN) return true;
    e = (e.driverError ?? e.cause) as Record<string, unknown> | undefined;
  }
  return false;
}

/** True for a unique-constraint violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * PostgreSQL SQLSTATEs that mean "this text cannot be stored": 22021 character_not_in_repertoire
 * (a NUL, U+0000, in a text value) and 22P05 untranslatable_character.
 */
const UNSTORABLE_CHARACTER_SQLSTATES = new Set(['22021', '22P05']);

/**
 * True when `error` (or one of its causes) is PostgreSQL refusing a character of a value: the
 * request's input was at fault, not the database. The edge refuses NUL before any statement
 * (src/http/nul.ts); this is the safety net behind it.
 */
export function isUnstorableCharacter(error: unknown): boolean {
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && UNSTORABLE_CHARACTER_SQLSTATES.has(e.code)) return true;
    e = (e.driverError ?? e.cause) as Record<string, unknown> | undefined;
  }
  return false;
}

/** PostgreSQL SQLSTATEs that mean "the database cannot serve now", not "this request is wrong". */
const UNAVAILABLE_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '53300', // too_many_connections
  '55P03', // lock_not_available: lock_timeout
]);

const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Messages of node-postgres, pg-pool and TypeORM that carry no code. */
const UNAVAILABLE_MESSAGES = [
  /^Query read timeout$/,
  /^timeout exceeded when trying to connect$/i,
  /^Connection terminated/,
  /not queryable/,
  /^Connection is not established/i,
  /Driver not Connected/i,
  /^Cannot execute operation on .* connection because connection is not yet established/i,
  /^Cannot use a pool after calling end on the pool$/,
];

/**
 * True when an error means the database is unreachable, stalled, overloaded or shutting down
 * (a statement or connection timeout, a dropped connection, SQLite's lock held beyond the busy
 * timeout): the caller should retry later, and the request itself was not at fault. Follows
 * TypeORM's `driverError` and `cause` chains.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 5; depth++) {
    // An HTTP request of ours that failed (a webhook, a did:web document, the portal's own
    // provider) carries the same socket codes, one `cause` down: it is never the database.
    if (e.name === 'TypeError' && e.message === 'fetch failed') return false;
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code !== undefined) {
      if (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
      if (UNAVAILABLE_SOCKET_CODES.has(code)) return true;
      if (
        code === DATABASE_DEADLINE_EXCEEDED ||
        code === COMMIT_OUTCOME_UNKNOWN ||
        code === DATABASE_CONNECTION_LOST
      )
        return true;
      if (/^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|PROTOCOL)/.test(code)) return true;
    }
    const message = typeof e.message === 'string' ? e.message : '';
    if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
    if (e.name === 'CannotExecuteNotConnectedError') return true;
    e = (e.driverError ?? e.cause) as Record<string, unknown> | undefined;
  }
  return false;
}
