/**
 * node-postgres with the request's database deadline (src/db/deadline.ts) applied to its two
 * waits, at no extra round trip:
 *
 * - waiting for a pooled connection (or connecting a new one): pg-pool's connection timeout of
 *   this one `connect`, the time left when less than `DATABASE_CONNECT_TIMEOUT_MS`;
 * - each statement: node-postgres' per-query read timeout (`query_timeout`), the time left when
 *   less than the configured one. When it fires the statement is also cancelled on the server
 *   (a CancelRequest on a connection of its own, as `pg_cancel_backend` would): a write that
 *   waits for a lock is not executed after the request has answered 503, and the locks and the
 *   pooled connection are freed at once instead of at the server's statement_timeout.
 *
 * Outside a request (no deadline) both keep the configured bounds, and nothing changes.
 * TypeORM takes the pool class from its `driver` option and pg-pool the client class from its
 * `Client` option, so only this service's pools are affected.
 */
import pg from 'pg';
import { boundedByDeadline, databaseDeadline } from './deadline.js';

type ConnectCallback = (error: Error | undefined, client?: unknown, release?: unknown) => void;

interface PoolInternals {
  options: { connectionTimeoutMillis?: number };
}

/** A pg pool whose wait for a connection ends at the request's deadline. */
export class DeadlinePool extends pg.Pool {
  override query(...args: unknown[]): never {
    // The callback form (unused by this service) keeps pg-pool's own way.
    if (args.some((value) => typeof value === 'function'))
      return (super.query as (...a: unknown[]) => never)(...args);
    return queryInCallerContext(this, args) as never;
  }

  // pg-pool reads `connectionTimeoutMillis` synchronously in `connect` (for a queued wait and
  // for a new connection alike), so it is narrowed for this one call and restored at once.
  override connect(...args: unknown[]): never {
    const options = (this as unknown as PoolInternals).options;
    const configured = options.connectionTimeoutMillis;
    const callback = typeof args[0] === 'function' ? (args[0] as ConnectCallback) : undefined;
    let bound: number | undefined;
    try {
      bound = boundedByDeadline(configured);
    } catch (error) {
      if (callback) {
        process.nextTick(() => callback(error as Error));
        return undefined as never;
      }
      return Promise.reject(error) as never;
    }
    options.connectionTimeoutMillis = bound;
    try {
      return (super.connect as (...a: unknown[]) => never)(...args);
    } finally {
      options.connectionTimeoutMillis = configured;
    }
  }
}

type PooledClient = { query(...args: unknown[]): Promise<unknown>; release(error?: Error): void };

/**
 * The promise form of pg-pool's `query`, sending the statement in the caller's async context.
 * pg-pool's own `query` sends it from the callback of `connect`, which, when the statement waited
 * for a busy connection, runs where that connection was released: in a socket event of the
 * connection, whose async context is that of the request which opened it, long ago. The
 * statement then carried that request's past deadline and failed at once (SRE review: instant
 * 503s of the consent check under healthy load). `connect`'s promise resumes in the caller's
 * context. As pg-pool does, a failed statement releases its client with the error (dropped).
 */
async function queryInCallerContext(pool: pg.Pool, args: unknown[]): Promise<unknown> {
  const client = (await pool.connect()) as unknown as PooledClient;
  let result: unknown;
  try {
    result = await client.query(...args);
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
  client.release();
  return result;
}

interface ClientInternals {
  readonly processID: number | null;
  readonly secretKey: number | null;
  readonly host: string;
  readonly port: number;
  readonly connectionParameters: { query_timeout?: number };
  readonly _activeQuery: unknown;
  readonly _queryQueue: unknown[];
}

/** TypeORM's statements that end a transaction (or roll back to a savepoint). */
const TRANSACTION_END = /^\s*(COMMIT|ROLLBACK)\b/i;

/** node-postgres' message when a query's read timeout fires. */
const READ_TIMEOUT = 'Query read timeout';

/** The part of pg's protocol connection used to send a CancelRequest (not in its type declarations). */
interface CancelConnection {
  readonly stream: { destroy(): void };
  on(event: 'error' | 'connect' | 'end', listener: (...args: unknown[]) => void): unknown;
  connect(port: number | string, host?: string): void;
  cancel(processID: number, secretKey: number): void;
}

type QueryConfig = { text: string; query_timeout?: number } & Record<string, unknown>;

/** A pg client whose statements end, and are cancelled, at the request's deadline. */
export class DeadlineClient extends pg.Client {
  override query(...args: unknown[]): never {
    const call = super.query as (...a: unknown[]) => never;
    if (databaseDeadline() === undefined) return call.apply(this, args);
    const [config, ...rest] = args;
    // A query object of its own (a cursor, a stream) keeps the configured bounds.
    if (typeof config !== 'string' && (config === null || typeof config !== 'object' || 'submit' in config))
      return call.apply(this, args);
    const text = typeof config === 'string' ? config : (config as QueryConfig).text;
    // Ending a transaction: a ROLLBACK always runs (under the configured bound), and a COMMIT
    // is sent only before the deadline but then awaited under the configured bound, never cut:
    // the request must not answer 503 for a write that then commits (see postgresTransaction).
    const ending = TRANSACTION_END.exec(text ?? '')?.[1]?.toUpperCase();
    if (ending === 'ROLLBACK') return call.apply(this, args);
    const configured = (this as unknown as ClientInternals).connectionParameters.query_timeout;
    let timeout: number;
    try {
      timeout = boundedByDeadline(configured) as number;
      if (ending === 'COMMIT') return call.apply(this, args);
    } catch (error) {
      // Never thrown synchronously: pg-pool calls `query` inside its own callbacks.
      const callback = rest.find((value) => typeof value === 'function') as
        | ((e: unknown) => void)
        | undefined;
      if (!callback) return Promise.reject(error) as never;
      process.nextTick(() => callback(error));
      return undefined as never;
    }
    const own = typeof config === 'string' ? { text: config } : (config as QueryConfig);
    const bounded: QueryConfig = { ...own, query_timeout: timeout };
    let sent: unknown;
    const onError = (error: unknown) => {
      if ((error as Error | undefined)?.message === READ_TIMEOUT) this.cancelIfActive(sent);
    };
    const index = rest.findIndex((value) => typeof value === 'function');
    if (index >= 0) {
      const callback = rest[index] as (error: unknown, ...results: unknown[]) => void;
      rest[index] = (error: unknown, ...results: unknown[]) => {
        if (error) onError(error);
        callback(error, ...results);
      };
    }
    const result = call.call(this, bounded, ...rest) as unknown;
    sent = this.lastQuery();
    if (index < 0) (result as Promise<unknown>).catch(onError);
    return result as never;
  }

  /** The query just submitted: the last one queued, or the active one when it went out at once. */
  private lastQuery(): unknown {
    const internals = this as unknown as ClientInternals;
    return internals._queryQueue.at(-1) ?? internals._activeQuery;
  }

  /**
   * Cancels `query` on the server when it is still running after its read timeout (one still
   * queued was dropped by node-postgres and never sent). The timed-out query stays this client's
   * active one until the server answers, so nothing else runs on the connection to be hit.
   */
  private cancelIfActive(query: unknown): void {
    const internals = this as unknown as ClientInternals;
    if (query === undefined || internals._activeQuery !== query) return;
    if (internals.processID === null || internals.secretKey === null) return;
    const { processID, secretKey } = internals;
    const connection = new pg.Connection() as unknown as CancelConnection;
    const stop = setTimeout(() => connection.stream.destroy(), 5_000);
    stop.unref();
    connection.on('error', () => {});
    connection.on('connect', () => connection.cancel(processID, secretKey));
    connection.on('end', () => clearTimeout(stop));
    if (internals.host?.startsWith('/')) connection.connect(`${internals.host}/.s.PGSQL.${internals.port}`);
    else connection.connect(internals.port, internals.host);
  }
}

/** The `driver` TypeORM loads for PostgreSQL: node-postgres with the deadline-aware pool. */
export const deadlinePostgresDriver = { Pool: DeadlinePool, defaults: pg.defaults };
