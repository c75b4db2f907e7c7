import type { DataSource, EntityManager } from 'typeorm';
import { type AllocationPolicy, allocateIndex, type StatusAllocation } from './allocation.js';
import { MINIMUM_LIST_BITS } from './bitstring.js';
import { changeEntries } from './change-many.js';
import { type BitstringStatusListEntry, statusListEntry } from './credential.js';
import { type Change, decide, unknownCredential } from './decide.js';
import {
  STATUS_PURPOSES,
  StatusEntryEntity,
  type StatusEntryRow,
  StatusListEntity,
  type StatusPurpose,
  TOKEN_PURPOSE,
} from './entities.js';
import { StatusListError } from './errors.js';
import { STATUS_CHANNEL } from './revision-watch.js';
import {
  decideToken,
  flipTokens,
  type TokenListSnapshot,
  tokenListSnapshot,
  tokenValueOf,
} from './token-entries.js';
import { inTransaction, isPostgres, reading } from './transactions.js';

export interface StatusServiceOptions {
  readonly dataSource: DataSource;
  /** PUBLIC_URL: entries point at `${publicUrl}/status/{listId}`. */
  readonly publicUrl: string;
  /**
   * Entries per new list. Default and product value: 131,072 (§2.2). Tests may pass a smaller
   * multiple of 8 to fill lists quickly; publication still pads every list to 131,072 bits.
   */
  readonly listSize?: number;
  readonly now?: () => Date;
}

export interface AllocateOptions {
  readonly purpose: StatusPurpose;
  readonly credentialId: string;
  /** Allocate inside this (the caller's) transaction, e.g. the one that records the issuance. */
  readonly manager?: EntityManager;
}

/** A credential's status, from its two bits. */
export interface CredentialStatus {
  readonly revoked: boolean;
  readonly suspended: boolean;
}

/** What publication needs of a list: its set bits, and the revision they were read at. */
export interface ListSnapshot {
  readonly id: string;
  readonly purpose: StatusPurpose;
  readonly size: number;
  readonly revision: number;
  readonly setIndexes: readonly number[];
}

export type { Change } from './decide.js';

/** The part of a better-sqlite3 connection the revision read uses. */
interface SqliteDatabase {
  readonly open: boolean;
  prepare(sql: string): { get(...params: unknown[]): unknown };
}

const MAX_CHANGE_ATTEMPTS = 8;

/**
 * Status lists of the credentials this service issues: allocates their indexes, changes their
 * status (revocation is final, suspension can be lifted) and reads lists for publication.
 * Every method takes an optional EntityManager to run inside the caller's transaction.
 */
export class StatusService {
  readonly publicUrl: string;
  private readonly dataSource: DataSource;
  private readonly policy: AllocationPolicy;
  private readonly listeners = new Set<(listId: string) => void>();

  constructor(options: StatusServiceOptions) {
    const listSize = options.listSize ?? MINIMUM_LIST_BITS;
    if (!Number.isSafeInteger(listSize) || listSize < 8 || listSize % 8 !== 0) {
      throw new StatusListError(
        'invalid_size',
        `a status list size must be a positive multiple of 8, not ${listSize}`,
      );
    }
    this.dataSource = options.dataSource;
    this.publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.policy = { listSize, now: options.now ?? (() => new Date()) };
  }

  /** Hands out a random, never reused index of an open list of the purpose. */
  async allocate(options: AllocateOptions): Promise<StatusAllocation> {
    const purpose = checkPurpose(options.purpose);
    const credentialId = checkCredentialId(options.credentialId);
    return inTransaction(this.dataSource, options.manager, (manager) =>
      allocateIndex(manager, purpose, credentialId, this.policy),
    );
  }

  /**
   * Allocates a revocation and a suspension index in one transaction and answers the two
   * `credentialStatus` entries to put in the credential. Calling it again for the same
   * credential answers the same entries.
   */
  async allocateEntries(options: {
    readonly credentialId: string;
    readonly manager?: EntityManager;
  }): Promise<BitstringStatusListEntry[]> {
    const credentialId = checkCredentialId(options.credentialId);
    return inTransaction(this.dataSource, options.manager, async (manager) => {
      const entries: BitstringStatusListEntry[] = [];
      // Always revocation first: one lock order for every transaction, so none deadlock.
      for (const purpose of STATUS_PURPOSES) {
        entries.push(
          statusListEntry(this.publicUrl, await allocateIndex(manager, purpose, credentialId, this.policy)),
        );
      }
      return entries;
    });
  }

  /**
   * Allocates the Token Status List entry of an SD-JWT VC (random index of an open `token`
   * list, never reused), following the status of credential `follows` when given. Calling it
   * again for the same credential answers the same entry.
   */
  async allocateToken(options: {
    readonly credentialId: string;
    readonly follows?: string;
    readonly manager?: EntityManager;
  }): Promise<{ readonly listId: string; readonly index: number }> {
    const credentialId = checkCredentialId(options.credentialId);
    if (options.follows !== undefined) checkCredentialId(options.follows);
    return inTransaction(this.dataSource, options.manager, async (manager) => {
      const allocation = await allocateIndex(manager, TOKEN_PURPOSE, credentialId, this.policy);
      if (options.follows !== undefined) {
        const followed = await this.rowsOf(manager, options.follows);
        if (followed.length === 0) throw unknownCredential(options.follows);
        // A credential that is revoked or suspended now hands its state on from the start.
        const state = tokenValueOf(followed);
        await manager
          .getRepository(StatusEntryEntity)
          .update(
            { listId: allocation.listId, listIndex: allocation.index },
            { follows: options.follows, status: state },
          );
      }
      return { listId: allocation.listId, index: allocation.index };
    });
  }

  /** The entries a credential already holds (none if it has none), revocation first. */
  statusEntriesFor(credentialId: string, manager?: EntityManager): Promise<BitstringStatusListEntry[]> {
    return reading(this.dataSource, manager, async (m) =>
      (await this.rowsOf(m, credentialId))
        .filter((row) => row.purpose !== TOKEN_PURPOSE)
        .map((row) =>
          statusListEntry(this.publicUrl, { listId: row.listId, index: row.listIndex, purpose: row.purpose }),
        ),
    );
  }

  /** Revokes for good. Refused with `already_revoked` when it is. */
  revoke(credentialId: string, manager?: EntityManager): Promise<void> {
    return this.change('revoke', credentialId, manager);
  }

  /** Suspends. Refused with `already_revoked` or `already_suspended`. */
  suspend(credentialId: string, manager?: EntityManager): Promise<void> {
    return this.change('suspend', credentialId, manager);
  }

  /** Lifts a suspension. Refused with `already_revoked` (revocation is final) or `not_suspended`. */
  reinstate(credentialId: string, manager?: EntityManager): Promise<void> {
    return this.change('reinstate', credentialId, manager);
  }

  /**
   * Makes one change to many credentials at once (e.g. every credential of a member's
   * agreements), in a bounded number of statements: their entries read in batches, one
   * conditional UPDATE per list and target value, one revision bump per list. Each credential is
   * decided as `suspend`/`reinstate`/`revoke` would (the same refusals, for the first that
   * fails); all change or none.
   */
  changeMany(change: Change, credentialIds: readonly string[], manager?: EntityManager): Promise<void> {
    return this.changeAll(change, credentialIds, manager);
  }

  /** The credential's status; `unknown_credential` if it holds no entry. */
  statusOf(credentialId: string, manager?: EntityManager): Promise<CredentialStatus> {
    return reading(this.dataSource, manager, async (m) => {
      const rows = await this.rowsOf(m, credentialId);
      if (rows.length === 0) throw unknownCredential(credentialId);
      const token = rows.find((row) => row.purpose === TOKEN_PURPOSE)?.status;
      return {
        revoked: rows.some((row) => row.purpose === 'revocation' && row.status === 1) || token === 1,
        suspended: rows.some((row) => row.purpose === 'suspension' && row.status === 1) || token === 2,
      };
    });
  }

  /** The list's current revision, or undefined when there is no such list. */
  listRevision(listId: string): Promise<number | undefined> {
    // On the hot path of every verification of our own credentials on SQLite (PostgreSQL
    // replicas skip it while they listen for announcements).
    const direct = this.sqliteRevisionStatement();
    if (direct) {
      // One prepared statement on the driver's connection, outside TypeORM and its queue: a
      // single-row read that cannot disturb a transaction. If it runs while this process has a
      // status change uncommitted, it may see that revision early; the caller then rebuilds
      // from a snapshot that the queue orders after the commit or rollback, so the worst case
      // is one needless rebuild, never a stale answer.
      const row = direct.get(listId) as { revision: number } | undefined;
      return Promise.resolve(row === undefined ? undefined : Number(row.revision));
    }
    const sql =
      this.dataSource.options.type === 'postgres'
        ? 'SELECT revision FROM status_list WHERE id = $1'
        : 'SELECT revision FROM status_list WHERE id = ?';
    return reading(this.dataSource, undefined, async (manager) => {
      const rows = (await manager.query(sql, [listId])) as Array<{ revision: number | string }>;
      return rows[0] === undefined ? undefined : Number(rows[0].revision);
    });
  }

  private revisionStatement: { get(id: string): unknown; database: unknown } | undefined;

  private sqliteRevisionStatement(): { get(id: string): unknown } | undefined {
    if (this.dataSource.options.type !== 'better-sqlite3') return undefined;
    const database = (this.dataSource.driver as unknown as { databaseConnection?: SqliteDatabase })
      .databaseConnection;
    if (!database?.open) return undefined;
    // A reopened data source has a new connection: prepare again on it.
    if (this.revisionStatement?.database !== database) {
      const statement = database.prepare('SELECT revision FROM status_list WHERE id = ?');
      this.revisionStatement = { get: (id) => statement.get(id), database };
    }
    return this.revisionStatement;
  }

  /** The list and its set bits, or undefined when there is no such list. */
  listSnapshot(listId: string): Promise<ListSnapshot | undefined> {
    return reading(this.dataSource, undefined, async (manager) => {
      // The revision is read before the bits: a change committed in between makes the snapshot
      // newer than its revision says, and the next revision check refreshes it; never older.
      const list = await manager.getRepository(StatusListEntity).findOneBy({ id: listId });
      if (!list) return undefined;
      const set = await manager
        .getRepository(StatusEntryEntity)
        .find({ select: { listIndex: true }, where: { listId, status: 1 } });
      return {
        id: list.id,
        purpose: list.purpose,
        size: list.size,
        revision: list.revision,
        setIndexes: set.map((row) => row.listIndex),
      };
    });
  }

  /** A Token Status List: its entries whose value is not 0 (VALID), or undefined when there is no such list. */
  tokenListSnapshot(listId: string): Promise<TokenListSnapshot | undefined> {
    return reading(this.dataSource, undefined, (manager) => tokenListSnapshot(manager, listId));
  }

  /** Calls `listener` with the list id whenever this process changes a status (after its commit when it owns the transaction). */
  onChange(listener: (listId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async change(
    change: Change,
    credentialId: string,
    manager: EntityManager | undefined,
  ): Promise<void> {
    checkCredentialId(credentialId);
    const listIds = await inTransaction(this.dataSource, manager, async (m) => {
      const rows = await this.rowsOf(m, credentialId);
      const bitstring = rows.filter((row) => row.purpose !== TOKEN_PURPOSE);
      const changed: string[] = [];
      if (bitstring.length > 0 || rows.length === 0) {
        changed.push(await this.flipBit(m, change, credentialId, bitstring));
      } else {
        // Only a Token Status List entry (an SD-JWT VC on its own): it decides.
        decideToken(change, credentialId, rows[0] as StatusEntryRow);
      }
      // Every Token Status List entry of this credential and of those that follow it, in the same transaction.
      changed.push(...(await flipTokens(m, change, credentialId, this.policy.now())));
      const distinct = [...new Set(changed)];
      for (const listId of distinct) await this.bumpRevision(m, listId);
      return distinct;
    });
    for (const listId of listIds) for (const listener of this.listeners) listener(listId);
  }

  private async changeAll(
    change: Change,
    credentialIds: readonly string[],
    manager: EntityManager | undefined,
  ): Promise<void> {
    const ids = [...new Set(credentialIds.map(checkCredentialId))];
    if (ids.length === 0) return;
    const listIds = await inTransaction(this.dataSource, manager, async (m) => {
      const changed = await changeEntries(m, change, ids, this.policy.now());
      for (const listId of changed) await this.bumpRevision(m, listId);
      return changed;
    });
    for (const listId of listIds) for (const listener of this.listeners) listener(listId);
  }

  /** Sets or clears the Bitstring bit a change decides; answers its list. */
  private async flipBit(
    m: EntityManager,
    change: Change,
    credentialId: string,
    initial: StatusEntryRow[],
  ): Promise<string> {
    let rows = initial;
    // A conditional update that changes nothing lost a race: decide again on what won it.
    for (let attempt = 0; attempt < MAX_CHANGE_ATTEMPTS; attempt++) {
      if (attempt > 0)
        rows = (await this.rowsOf(m, credentialId)).filter((row) => row.purpose !== TOKEN_PURPOSE);
      const target = decide(change, credentialId, rows);
      const result = await m
        .createQueryBuilder()
        .update(StatusEntryEntity)
        .set({ status: target.to, updatedAt: this.policy.now().toISOString() })
        .where('list_id = :listId AND list_index = :index AND status = :from', {
          listId: target.row.listId,
          index: target.row.listIndex,
          from: 1 - target.to,
        })
        .execute();
      if (result.affected === 1) return target.row.listId;
    }
    throw new Error(`the status of ${credentialId} kept changing concurrently; giving up`);
  }

  private async bumpRevision(m: EntityManager, listId: string): Promise<void> {
    await m
      .createQueryBuilder()
      .update(StatusListEntity)
      .set({ revision: () => 'revision + 1', updatedAt: this.policy.now().toISOString() })
      .where('id = :listId', { listId })
      .execute();
    if (isPostgres(this.dataSource)) {
      // Announced to every replica's listener when (and only if) this transaction commits.
      await m.query(`SELECT pg_notify($1, id || ' ' || revision) FROM status_list WHERE id = $2`, [
        STATUS_CHANNEL,
        listId,
      ]);
    }
  }

  private async rowsOf(manager: EntityManager, credentialId: string): Promise<StatusEntryRow[]> {
    const rows = await manager.getRepository(StatusEntryEntity).findBy({ credentialId });
    return rows.sort((a, b) => STATUS_PURPOSES.indexOf(a.purpose) - STATUS_PURPOSES.indexOf(b.purpose));
  }
}

function checkPurpose(purpose: unknown): StatusPurpose {
  if (!STATUS_PURPOSES.includes(purpose as StatusPurpose)) {
    throw new StatusListError(
      'invalid_purpose',
      `the status purpose must be one of ${STATUS_PURPOSES.join(', ')}`,
    );
  }
  return purpose as StatusPurpose;
}

function checkCredentialId(credentialId: unknown): string {
  if (typeof credentialId !== 'string' || credentialId.length === 0 || credentialId.length > 500) {
    throw new StatusListError(
      'invalid_credential_id',
      'a credential id is a non-empty string of at most 500 characters',
    );
  }
  return credentialId;
}
