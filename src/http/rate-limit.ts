/**
 * Rate limits on unauthenticated writes (challenges, applications, wallet-login transactions,
 * checkpoints): per client address, and per DID where one is known (an application's signer).
 *
 * The counters live in the database, through `rate-limiter-flexible`'s stores, so that they
 * are shared:
 * - PostgreSQL: `RateLimiterPostgres` on the data source's pool: every replica counts in the
 *   one `rate_limit` table (an atomic upsert per request);
 * - SQLite: `RateLimiterSQLite` on its own better-sqlite3 connection to the same file: every
 *   process on the host shares the counters (SQLite means one host). Its own connection keeps
 *   a counter's write out of whatever TypeORM transaction is open on the service's connection.
 * If the store fails (database unreachable), a per-process memory limiter with the same
 * limits answers instead (`insuranceLimiter`): limits still hold, per process.
 *
 * A refusal is 429 with `Retry-After` (seconds) and problem+json `code: rate_limited`, or on
 * OAuth and OpenID4VP endpoints `{ error: "rate_limited" }`.
 */
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import Database from 'better-sqlite3';
import type { Context, Middleware } from 'koa';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  RateLimiterSQLite,
} from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { boundedByDeadline } from '../db/deadline.js';
import { OAuthError, ProblemError } from './errors.js';

/** How long the SQLite store's own connection waits for another process's write lock. */
const SQLITE_STORE_BUSY_WAIT_MS = 5_000;

/** The table created by migration RateLimits1795000000120. */
export const RATE_LIMIT_TABLE = 'rate_limit';

export interface RateLimitSettings {
  readonly windowSeconds: number;
  readonly perAddress: number;
  readonly didWindowSeconds: number;
  readonly perDid: number;
}

/** A kind of unauthenticated write, counted separately from the others. */
export type RateLimitBucket = 'challenge' | 'application' | 'wallet-login' | 'checkpoint';

/** 429 problem+json `rate_limited`, with the seconds to wait. */
export class RateLimitedError extends ProblemError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'rate_limited', 'Too many requests', `Too many requests; retry in ${retryAfterSeconds} s.`);
  }
}

/** 429 `{ error: "rate_limited" }` on OAuth and OpenID4VP endpoints, with the seconds to wait. */
export class RateLimitedOAuthError extends OAuthError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'rate_limited', `Too many requests; retry in ${retryAfterSeconds} s.`);
  }
}

/** Counts requests per address and per DID; refuses with RateLimitedError past the limit. */
export class RateLimits {
  private readonly byAddress = new Map<RateLimitBucket, RateLimiterAbstract>();
  private readonly byDid: RateLimiterAbstract;

  private constructor(
    make: (keyPrefix: string, points: number, duration: number) => RateLimiterAbstract,
    settings: RateLimitSettings,
    private readonly closeStore: () => void,
    private readonly onRefused: (limiter: string) => void,
    /** Runs before each count (the SQLite store bounds its busy wait by the request's deadline). */
    private readonly beforeCount: () => void = () => {},
  ) {
    for (const bucket of ['challenge', 'application', 'wallet-login', 'checkpoint'] as const) {
      this.byAddress.set(bucket, make(`${bucket}:addr`, settings.perAddress, settings.windowSeconds));
    }
    this.byDid = make('application:did', settings.perDid, settings.didWindowSeconds);
  }

  /** Limits stored in the data source's database (see the module notes). */
  static open(
    dataSource: DataSource,
    settings: RateLimitSettings,
    options: { readonly onRefused?: (limiter: string) => void } = {},
  ): RateLimits {
    const onRefused = options.onRefused ?? (() => {});
    const memory = (keyPrefix: string, points: number, duration: number) =>
      new RateLimiterMemory({ keyPrefix, points, duration });
    if (dataSource.options.type === 'postgres') {
      return new RateLimits(
        (keyPrefix, points, duration) =>
          new RateLimiterPostgres({
            storeClient: dataSource,
            storeType: 'typeorm',
            tableName: RATE_LIMIT_TABLE,
            tableCreated: true,
            clearExpiredByTimeout: false,
            keyPrefix,
            points,
            duration,
            insuranceLimiter: memory(keyPrefix, points, duration),
          }),
        settings,
        () => {},
        onRefused,
      );
    }
    const connection = new Database(String(dataSource.options.database), {
      timeout: SQLITE_STORE_BUSY_WAIT_MS,
    });
    return new RateLimits(
      (keyPrefix, points, duration) =>
        new RateLimiterSQLite({
          storeClient: connection,
          storeType: 'better-sqlite3',
          tableName: RATE_LIMIT_TABLE,
          tableCreated: true,
          clearExpiredByTimeout: false,
          keyPrefix,
          points,
          duration,
          insuranceLimiter: memory(keyPrefix, points, duration),
        }),
      settings,
      () => connection.close(),
      onRefused,
      () => boundBusyWait(connection),
    );
  }

  /** Counts one request of `bucket` from `address`; throws RateLimitedError past the limit. */
  async address(bucket: RateLimitBucket, address: string): Promise<void> {
    await this.counted(`${bucket}:address`, () =>
      consume(this.byAddress.get(bucket) as RateLimiterAbstract, addressKey(address)),
    );
  }

  /** Counts one application signed by `did`; throws RateLimitedError past the limit. */
  async did(did: string): Promise<void> {
    // Hashed: a DID may be longer than the store's key column, and need not be readable there.
    await this.counted('application:did', () =>
      consume(this.byDid, createHash('sha256').update(did, 'utf8').digest('hex')),
    );
  }

  /** Runs one count; a refusal is reported to `onRefused` (the metrics) and rethrown. */
  private async counted(limiter: string, count: () => Promise<void>): Promise<void> {
    this.beforeCount();
    try {
      await count();
    } catch (error) {
      if (error instanceof RateLimitedError) this.onRefused(limiter);
      throw error;
    }
  }

  close(): void {
    this.closeStore();
  }
}

/**
 * The SQLite store's wait for a write lock, bounded by the request's database deadline
 * (src/db/deadline.ts): set before each count, so a count waits at most the time left to the
 * request it belongs to (one that starts in the same turn may use the other's, a few ms apart).
 * Past the deadline it barely waits: the memory limiter answers, and the request's own database
 * work fails with the deadline.
 */
function boundBusyWait(connection: { pragma(source: string): unknown }): void {
  let wait: number;
  try {
    wait = boundedByDeadline(SQLITE_STORE_BUSY_WAIT_MS) ?? SQLITE_STORE_BUSY_WAIT_MS;
  } catch {
    wait = 1;
  }
  connection.pragma(`busy_timeout = ${wait}`);
}

async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key, 1);
  } catch (error) {
    if (error instanceof RateLimiterRes) {
      throw new RateLimitedError(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
    }
    throw error;
  }
}

/**
 * The key of a client address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, the
 * smallest block a client usually holds (one host can use every address in it).
 */
export function addressKey(address: string): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!isIPv6(plain)) return plain;
  const [head = '', tail = ''] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = plain.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/** One rate-limited route: method and path (below the base path), and which error shape. */
export interface RateLimitRule {
  /** Upper case; a HEAD request counts as GET. */
  readonly method: string;
  /** Matched against the path in lower case without trailing slashes: write it so. */
  readonly path: RegExp;
  readonly bucket: RateLimitBucket;
  /** OAuth / OpenID4VP endpoints answer `{ error }` instead of problem+json. */
  readonly oauth?: boolean;
  /**
   * Requests carrying a bearer token are not counted: the route's connector-token middleware
   * refuses a bad token before any work (a local signature check), and an authenticated member
   * is not an anonymous writer. Only for routes that take either a token or a signed statement.
   */
  readonly exceptBearer?: boolean;
}

/**
 * Counts every request matching a rule against its client address (`ctx.ip`: the socket
 * address, or with TRUST_PROXY the address the proxy forwarded) before it reaches the route.
 */
export function rateLimitMiddleware(limits: RateLimits, rules: readonly RateLimitRule[]): Middleware {
  return async (ctx: Context, next) => {
    const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
    const path = routeKey(ctx.path);
    const rule = rules.find((candidate) => candidate.method === method && candidate.path.test(path));
    if (rule && !(rule.exceptBearer && /^bearer /i.test(ctx.get('authorization')))) {
      try {
        await limits.address(rule.bucket, ctx.ip || 'unknown');
      } catch (error) {
        if (error instanceof RateLimitedError && rule.oauth) {
          throw new RateLimitedOAuthError(error.retryAfterSeconds);
        }
        throw error;
      }
    }
    await next();
  };
}

/**
 * The form of a path the rules are matched against. The routers serve a path in any letter
 * case, with or without trailing slashes, and HEAD with the GET handler: every variant they
 * accept must be counted as the route it reaches, or a variant would bypass the limit.
 */
export function routeKey(path: string): string {
  return path.toLowerCase().replace(/\/+$/, '') || '/';
}
