/**
 * The portal's server-side sessions (docs/portal.md, "Sessions").
 *
 * - The session id is 256 random bits, sent only in the cookie; the row is keyed by its SHA-256,
 *   so a copy of the database holds no session anyone can use.
 * - What the session holds (the pending login's state, nonce and PKCE verifier; the logged-in
 *   citizen; the ID token for logout) is sealed with AES-256-GCM under a key derived from the
 *   key-encryption secret, with the id hash as associated data: the citizen's key (which may
 *   be a personal identifier) never lies in clear, and a sealed value moved to another row does
 *   not open.
 * - Two expiries: idle (renewed, at most once a minute, while the session is used) and absolute
 *   (fixed at login). `expires_at` is the earlier of them, which the service's sweep deletes by.
 * - A login gets a new session id (no fixation); logout deletes the row; an erasure deletes every
 *   session of the citizen; a member's suspension deletes the sessions of its accounts in the
 *   suspension's own transaction (`endPortalSessions`, wired by the composition root).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { type DataSource, type EntityManager, MoreThan } from 'typeorm';
import type { Citizen } from '../consent/index.js';
import { inTransaction, isPostgres, reading } from '../db/index.js';
import { OidcAccountDidEntity } from '../oidc/entities.js';
import { PortalSessionEntity, type PortalSessionRow } from './entities.js';

/** A login started at the provider and not finished yet (authorization code flow with PKCE). */
export interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** A path of the portal to return to (never an absolute URL). */
  readonly returnTo: string;
  /** `board`: a board member's login to the workspace (scope `openid board`); else a citizen's. */
  readonly purpose?: 'board';
}

/** What a session holds, sealed. */
export interface SessionData {
  readonly login?: PendingLogin;
  readonly citizen?: Citizen;
  /** The DID of the board member logged in to the workspace (a `board` login). */
  readonly boardMember?: string;
  /** The states of the workspace's signing requests (votes, motions) this browser opened (at most a few). */
  readonly signing?: readonly string[];
  /** The states of the application signing requests this browser opened (at most a few). */
  readonly applying?: readonly string[];
  /** The ID token of the login: the `id_token_hint` of RP-initiated logout. */
  readonly idToken?: string;
  /** The provider's account (the ID token's `sub`). */
  readonly accountId?: string;
}

/** A live session. */
export interface PortalSession {
  /** The id itself (the cookie's value): needed to derive the CSRF token. */
  readonly id: string;
  readonly data: SessionData;
  readonly expiresAt: Date;
  readonly absoluteExpiresAt: Date;
}

export interface SessionStoreOptions {
  readonly dataSource: DataSource;
  /** The key-encryption secret (hex): the sealing, hashing and CSRF keys are derived from it. */
  readonly secretHex: string;
  /** Idle expiry: a session unused this long ends. */
  readonly idleMs: number;
  /** Absolute expiry: a session ends this long after it began, used or not. */
  readonly absoluteMs: number;
  readonly now?: () => Date;
}

/** A session is touched (its idle expiry renewed) at most this often: not a write per request. */
const TOUCH_EVERY_MS = 60_000;
const ID_BYTES = 32;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

const derive = (secret: Buffer, info: string): Buffer =>
  Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `dataspace-trust portal ${info} v1`, 32));

export const hashSessionId = (id: string): string => createHash('sha256').update(id, 'utf8').digest('hex');

export class SessionStore {
  readonly #sealKey: Buffer;
  readonly #citizenKey: Buffer;
  /** The key of the CSRF tokens (csrf.ts): a token is an HMAC of the session id. */
  readonly csrfKey: Buffer;
  readonly #now: () => Date;

  constructor(private readonly options: SessionStoreOptions) {
    const secret = Buffer.from(options.secretHex, 'hex');
    this.#sealKey = derive(secret, 'session-data');
    this.#citizenKey = derive(secret, 'citizen-hash');
    this.csrfKey = derive(secret, 'csrf');
    this.#now = options.now ?? (() => new Date());
  }

  /** Starts a session holding `data`; answers it with its new id. */
  async create(data: SessionData): Promise<PortalSession> {
    const id = randomBytes(ID_BYTES).toString('base64url');
    const now = this.#now();
    const absolute = new Date(now.getTime() + this.options.absoluteMs);
    const row = this.#row(id, data, now, absolute);
    await reading(this.options.dataSource, undefined, (manager) =>
      manager.getRepository(PortalSessionEntity).insert(row),
    );
    return { id, data, expiresAt: new Date(row.expiresAt), absoluteExpiresAt: absolute };
  }

  /**
   * The live session of `id`, or undefined (unknown, malformed, or expired: an expired row is
   * deleted at once rather than left for the sweep). Renews the idle expiry when due.
   */
  async find(id: string | undefined): Promise<PortalSession | undefined> {
    if (id === undefined || !SESSION_ID.test(id)) return undefined;
    const idHash = hashSessionId(id);
    const repository = this.options.dataSource.getRepository(PortalSessionEntity);
    const row = await reading(this.options.dataSource, undefined, (manager) =>
      manager.getRepository(PortalSessionEntity).findOneBy({ idHash }),
    );
    if (!row) return undefined;
    const now = this.#now();
    if (new Date(row.expiresAt).getTime() <= now.getTime()) {
      await reading(this.options.dataSource, undefined, () => repository.delete({ idHash }));
      return undefined;
    }
    const data = this.#dataOf(row.data, idHash);
    if (data === undefined) return undefined;
    const absolute = new Date(row.absoluteExpiresAt);
    let expiresAt = new Date(row.expiresAt);
    if (now.getTime() - new Date(row.lastSeenAt).getTime() >= TOUCH_EVERY_MS) {
      expiresAt = this.#expiry(now, absolute);
      await reading(this.options.dataSource, undefined, (manager) =>
        manager
          .getRepository(PortalSessionEntity)
          .update({ idHash }, { lastSeenAt: now.toISOString(), expiresAt: expiresAt.toISOString() }),
      );
    }
    return { id, data, expiresAt, absoluteExpiresAt: absolute };
  }

  /**
   * Ends session `id` (if any) and starts a new one holding `data`, in one transaction: a
   * login changes the session id, so an id planted in the browser before the login is worth
   * nothing after it. The absolute expiry starts again at the login; a rotation that is no login
   * (a signing request opened or answered) keeps the session's own, `absoluteExpiresAt`.
   */
  async rotate(
    id: string,
    data: SessionData,
    options: { readonly absoluteExpiresAt?: Date } = {},
  ): Promise<PortalSession> {
    const newId = randomBytes(ID_BYTES).toString('base64url');
    const now = this.#now();
    const absolute = options.absoluteExpiresAt ?? new Date(now.getTime() + this.options.absoluteMs);
    const row = this.#row(newId, data, now, absolute);
    await inTransaction(this.options.dataSource, undefined, async (manager) => {
      const repository = manager.getRepository(PortalSessionEntity);
      await repository.delete({ idHash: hashSessionId(id) });
      await repository.insert(row);
    });
    return { id: newId, data, expiresAt: new Date(row.expiresAt), absoluteExpiresAt: absolute };
  }

  /**
   * Changes what live session `id` holds, in place (the same id, so the same cookie and CSRF
   * token; the same idle and absolute expiry), from what it holds at this instant: the row is
   * read and written in one transaction, locked, so that two requests of one browser changing it
   * at once (two tabs opening a signing request each) both count, neither overwriting the other.
   * Answers the data as written, or undefined when the session is gone (unknown, expired, or a
   * row that does not open).
   */
  async change(id: string, change: (data: SessionData) => SessionData): Promise<SessionData | undefined> {
    const idHash = hashSessionId(id);
    const { dataSource } = this.options;
    return inTransaction(dataSource, undefined, async (manager) => {
      const repository = manager.getRepository(PortalSessionEntity);
      const row = await repository.findOne({
        where: { idHash, expiresAt: MoreThan(this.#now().toISOString()) },
        // SQLite's transactions take the write lock first (inTransaction): already one at a time.
        ...(isPostgres(dataSource) ? { lock: { mode: 'pessimistic_write' as const } } : {}),
      });
      if (!row) return undefined;
      const current = this.#dataOf(row.data, idHash);
      if (current === undefined) return undefined;
      const data = change(current);
      await repository.update(
        { idHash },
        {
          data: this.#seal(JSON.stringify(data), idHash),
          accountId: data.accountId ?? null,
          citizenHash: data.citizen ? this.citizenHash(data.citizen) : null,
        },
      );
      return data;
    });
  }

  /** What a row holds, or undefined for a row that does not open (another secret, or altered): no session, fail closed. */
  #dataOf(sealed: string, idHash: string): SessionData | undefined {
    try {
      return JSON.parse(this.#open(sealed, idHash)) as SessionData;
    } catch {
      return undefined;
    }
  }

  /** Ends session `id`; answers whether there was one. */
  async end(id: string): Promise<boolean> {
    const result = await reading(this.options.dataSource, undefined, (manager) =>
      manager.getRepository(PortalSessionEntity).delete({ idHash: hashSessionId(id) }),
    );
    return (result.affected ?? 0) > 0;
  }

  /** Ends every session of the citizen (after an erasure); answers how many. */
  async endCitizen(citizen: Citizen): Promise<number> {
    const result = await reading(this.options.dataSource, undefined, (manager) =>
      manager.getRepository(PortalSessionEntity).delete({ citizenHash: this.citizenHash(citizen) }),
    );
    return result.affected ?? 0;
  }

  /** The keyed hash that finds a citizen's sessions (another key than the consent register's). */
  citizenHash(citizen: Citizen): string {
    return createHmac('sha256', this.#citizenKey).update(citizen.key, 'utf8').digest('hex');
  }

  #expiry(now: Date, absolute: Date): Date {
    return new Date(Math.min(now.getTime() + this.options.idleMs, absolute.getTime()));
  }

  #row(id: string, data: SessionData, now: Date, absolute: Date): PortalSessionRow {
    const idHash = hashSessionId(id);
    return {
      idHash,
      data: this.#seal(JSON.stringify(data), idHash),
      accountId: data.accountId ?? null,
      citizenHash: data.citizen ? this.citizenHash(data.citizen) : null,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: this.#expiry(now, absolute).toISOString(),
      absoluteExpiresAt: absolute.toISOString(),
    };
  }

  #seal(plaintext: string, idHash: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv);
    cipher.setAAD(Buffer.from(idHash, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  #open(sealed: string, idHash: string): string {
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.#sealKey, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(idHash, 'utf8'));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/**
 * Deletes, in the caller's transaction, the portal sessions of every account that logged in
 * with `did` (as the provider's `endLogins` does for its own sessions): a suspended, revoked or
 * withdrawn member, or a removed board member, is logged out of the portal at once.
 */
export async function endPortalSessions(did: string, manager: EntityManager): Promise<number> {
  const links = await manager.getRepository(OidcAccountDidEntity).findBy({ did });
  if (links.length === 0) return 0;
  const result = await manager
    .createQueryBuilder()
    .delete()
    .from(PortalSessionEntity)
    .where('account_id IN (:...accounts)', { accounts: links.map((link) => link.accountId) })
    .execute();
  return result.affected ?? 0;
}
