import type { DataSource, EntityManager } from 'typeorm';
import type { JwtSigner } from '../credentials/sign.js';
import { inTransaction, reading } from '../db/transactions.js';
import { entryHash, type JsonValue } from './canonical.js';
import {
  type AuditCheckpoint,
  type AuditHead,
  type StoredCheckpoint,
  signCheckpoint,
  storedCheckpoint,
} from './checkpoint.js';
import { AuditCheckpointEntity, AuditEntryEntity, type AuditEntryRow, AuditHeadEntity } from './entities.js';
import { AuditError } from './errors.js';
import { type AuditEvent, validateEvent } from './event.js';
import type { KeyDocument } from './keyring.js';
import type { AuditEntry } from './verify-chain.js';
import { type AuditVerification, verifyLog } from './verify-log.js';

/** What an AuditLog needs: the data source, the service signer and a clock. */
export interface AuditLogOptions {
  readonly dataSource: DataSource;
  /** Signs checkpoints: the service DID's signer. */
  readonly signer: JwtSigner;
  /**
   * The service DID's current document: `verify` checks checkpoint signatures against its keys
   * (and retired keys vouched for in the log, see keyring.ts). Without it no checkpoint verifies.
   */
  readonly document?: () => Promise<KeyDocument>;
  readonly now?: () => Date;
  /** Entries read per query by `verify` and `entries` (default 500). */
  readonly pageSize?: number;
}

/** Which page of `AuditLog.page`. */
export interface PageOptions {
  /** Entries with a sequence above this one (default 0: from the start). */
  readonly after?: number;
  /** At most this many (default 100). */
  readonly limit?: number;
}

/** One page of the log, as `GET /api/v1/audit` answers it. */
export interface AuditPage {
  readonly items: AuditEntry[];
  /** The `after` of the next page, or null when this page reaches the end of the log. */
  readonly next: number | null;
}

const HEAD_ID = 1;
/** Entries per INSERT of `appendMany` (well below SQLite's and PostgreSQL's bounds on parameters). */
const APPEND_BATCH = 100;

/**
 * The append-only, hash-chained log of governance events, with signed checkpoints.
 *
 * Appends are safe under concurrency, across connections and processes: each locks the
 * one-row `audit_head` table first (a no-op UPDATE, which holds the row lock on PostgreSQL and
 * the write lock on SQLite until commit), reads the last sequence and hash from it, inserts
 * the next entry and moves the head, in one transaction. `sequence` (primary key) and
 * `prev_hash` (unique) back this up: a second entry for one place can never be stored.
 * On SQLite, transactions of this data source are queued (see credentials/status/transactions.ts)
 * and one refused because another process holds the database is retried.
 */
export class AuditLog {
  private readonly dataSource: DataSource;
  private readonly signer: JwtSigner;
  private readonly now: () => Date;
  private readonly pageSize: number;
  private readonly document: (() => Promise<KeyDocument>) | undefined;

  constructor(options: AuditLogOptions) {
    this.dataSource = options.dataSource;
    this.signer = options.signer;
    this.now = options.now ?? (() => new Date());
    this.pageSize = options.pageSize ?? 500;
    this.document = options.document;
  }

  /**
   * Appends an event and answers the entry written. Throws an AuditError for an invalid event.
   *
   * With `manager` (of an open transaction) the entry is written in that transaction and exists
   * only if it commits: record a decision in the transaction that carries it out. The head stays
   * locked until that commit, so append last, just before committing. On SQLite, a caller's
   * transaction must be one opened through `inTransaction` (the queue), and a caller inside it
   * must pass its manager; without one, append opens and commits a transaction of its own.
   * On PostgreSQL the caller's transaction must be READ COMMITTED (the default): under
   * REPEATABLE READ or SERIALIZABLE a concurrent append makes it fail with a serialization error.
   */
  async append(event: AuditEvent, manager?: EntityManager): Promise<AuditEntry> {
    const valid = validateEvent(event);
    return inTransaction(this.dataSource, manager, async (transaction) => {
      await transaction
        .createQueryBuilder()
        .update(AuditHeadEntity)
        .set({ size: () => 'size' })
        .where('id = :id', { id: HEAD_ID })
        .execute();
      const head = await transaction.getRepository(AuditHeadEntity).findOneBy({ id: HEAD_ID });
      if (!head)
        throw new AuditError('log_uninitialised', 'the audit_head row is missing: run the migrations');
      const fields = {
        sequence: Number(head.size) + 1,
        at: this.now().toISOString(),
        kind: valid.kind,
        actor: valid.actor,
        subject: valid.subject,
        data: valid.data,
        prevHash: head.headHash,
      };
      const hash = entryHash(fields);
      await transaction.getRepository(AuditEntryEntity).insert({ ...fields, data: valid.dataText, hash });
      await transaction
        .getRepository(AuditHeadEntity)
        .update({ id: HEAD_ID }, { size: fields.sequence, headHash: hash });
      return { ...fields, hash };
    });
  }

  /**
   * Appends several events in one go, in order, and answers the entries written: one head lock,
   * one read of the head, the entries inserted in batches of APPEND_BATCH and one move of the
   * head, whatever their number (a cascade over many agreements costs a bounded number of
   * statements, not a round trip per entry). The chain is the one `append` would have built
   * entry by entry. Every event is validated before anything is written; the transaction rules
   * are `append`'s.
   */
  async appendMany(events: readonly AuditEvent[], manager?: EntityManager): Promise<AuditEntry[]> {
    const valid = events.map(validateEvent);
    if (valid.length === 0) return [];
    return inTransaction(this.dataSource, manager, async (transaction) => {
      await this.lockHead(transaction);
      const head = await transaction.getRepository(AuditHeadEntity).findOneBy({ id: HEAD_ID });
      if (!head)
        throw new AuditError('log_uninitialised', 'the audit_head row is missing: run the migrations');
      const at = this.now().toISOString();
      let sequence = Number(head.size);
      let prevHash = head.headHash;
      const written: AuditEntry[] = [];
      const rows: AuditEntryRow[] = [];
      for (const event of valid) {
        sequence += 1;
        const fields = {
          sequence,
          at,
          kind: event.kind,
          actor: event.actor,
          subject: event.subject,
          data: event.data,
          prevHash,
        };
        const hash = entryHash(fields);
        written.push({ ...fields, hash });
        rows.push({ ...fields, data: event.dataText, hash });
        prevHash = hash;
      }
      for (let start = 0; start < rows.length; start += APPEND_BATCH)
        await transaction.getRepository(AuditEntryEntity).insert(rows.slice(start, start + APPEND_BATCH));
      await transaction
        .getRepository(AuditHeadEntity)
        .update({ id: HEAD_ID }, { size: sequence, headHash: prevHash });
      return written;
    });
  }

  /**
   * Takes the head's lock in the caller's transaction now, as `append` does. For a transaction
   * that locks rows of its own and appends later, while other transactions (a board decision)
   * append first and then lock those rows: taking the head first keeps one lock order.
   */
  async lockHead(manager: EntityManager): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(AuditHeadEntity)
      .set({ size: () => 'size' })
      .where('id = :id', { id: HEAD_ID })
      .execute();
  }

  /** The size and last hash, as of the last committed append. */
  async head(manager?: EntityManager): Promise<AuditHead> {
    const head = await reading(this.dataSource, manager, (m) =>
      m.getRepository(AuditHeadEntity).findOneBy({ id: HEAD_ID }),
    );
    if (!head) throw new AuditError('log_uninitialised', 'the audit_head row is missing: run the migrations');
    return { size: Number(head.size), headHash: head.headHash };
  }

  /** One page of entries in sequence order. */
  async page(options: PageOptions = {}, manager?: EntityManager): Promise<AuditPage> {
    const limit = options.limit ?? 100;
    const rows = await this.rows(options.after ?? 0, undefined, limit + 1, manager);
    const items = rows.slice(0, limit).map(toEntry);
    return { items, next: rows.length > limit ? (items.at(-1)?.sequence ?? null) : null };
  }

  /** The entry with this sequence number, if there is one. */
  async entry(sequence: number): Promise<AuditEntry | undefined> {
    const [row] = await this.rows(sequence - 1, sequence, 1);
    return row ? toEntry(row) : undefined;
  }

  /**
   * The entries about `subject` whose kind starts with `kindPrefix`, in sequence order, at most
   * `limit` (one range of the index on subject and sequence; e.g. a member's status history).
   */
  async about(subject: string, options: { kindPrefix?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const rows = await reading(this.dataSource, undefined, (m) => {
      const query = m
        .getRepository(AuditEntryEntity)
        .createQueryBuilder('entry')
        .where('entry.subject = :subject', { subject });
      if (options.kindPrefix)
        query.andWhere("entry.kind LIKE :kind ESCAPE '\\'", { kind: `${likeEscape(options.kindPrefix)}%` });
      return query
        .orderBy('entry.sequence', 'ASC')
        .limit(options.limit ?? 100)
        .getMany();
    });
    return rows.map(toEntry);
  }

  /** The stored checkpoint of the largest size, if any was ever issued. */
  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const [row] = await reading(this.dataSource, undefined, (m) =>
      m.getRepository(AuditCheckpointEntity).find({ order: { size: 'DESC' }, take: 1 }),
    );
    return row ? storedCheckpoint(row) : undefined;
  }

  /** Every entry (above `after`, up to `upTo`) in sequence order, read a page at a time. */
  async *entries(options: { after?: number; upTo?: number } = {}): AsyncGenerator<AuditEntry> {
    let after = options.after ?? 0;
    for (;;) {
      const rows = await this.rows(after, options.upTo, this.pageSize);
      for (const row of rows) yield toEntry(row);
      const last = rows.at(-1);
      if (!last || rows.length < this.pageSize) return;
      after = Number(last.sequence);
    }
  }

  /**
   * Signs the current head with the service DID and answers the checkpoint. The first one
   * issued at each size is also stored, so that `verify` can hold the log to it later.
   */
  async checkpoint(): Promise<AuditCheckpoint> {
    const checkpoint = await signCheckpoint(this.signer, await this.head(), this.now());
    await inTransaction(this.dataSource, undefined, (m) =>
      m
        .createQueryBuilder()
        .insert()
        .into(AuditCheckpointEntity)
        .values({ ...checkpoint })
        .orIgnore()
        .execute(),
    );
    return checkpoint;
  }

  /** The stored checkpoints, by size. */
  async checkpoints(): Promise<StoredCheckpoint[]> {
    const rows = await reading(this.dataSource, undefined, (m) =>
      m.getRepository(AuditCheckpointEntity).find({ order: { size: 'ASC' } }),
    );
    return rows.map(storedCheckpoint);
  }

  /** One page of the stored checkpoints by size (those above `after`), as served publicly. */
  async checkpointPage(
    options: PageOptions = {},
  ): Promise<{ items: AuditCheckpoint[]; next: number | null }> {
    const limit = options.limit ?? 100;
    const rows = await reading(this.dataSource, undefined, (m) =>
      m
        .getRepository(AuditCheckpointEntity)
        .createQueryBuilder('checkpoint')
        .where('checkpoint.size > :after', { after: options.after ?? 0 })
        .orderBy('checkpoint.size', 'ASC')
        .limit(limit + 1)
        .getMany(),
    );
    const items = rows
      .slice(0, limit)
      .map(({ size, headHash, at, signature }) => ({ size: Number(size), headHash, at, signature }));
    return { items, next: rows.length > limit ? (items.at(-1)?.size ?? null) : null };
  }

  /**
   * Verifies the whole stored log (see verifyLog): every hash and link, the head, every stored
   * checkpoint and its signature, and the checkpoints the caller kept (`kept`). Reads the
   * entries page by page. Never throws for tampered data.
   */
  verify(options: { kept?: readonly AuditCheckpoint[] } = {}): Promise<AuditVerification> {
    return verifyLog(
      {
        checkpoints: () => this.checkpoints(),
        head: () => this.head(),
        entries: (upTo) => this.entries({ upTo }),
      },
      {
        ...(this.document ? { document: this.document } : {}),
        ...(options.kept ? { kept: options.kept } : {}),
      },
    );
  }

  private rows(
    after: number,
    upTo: number | undefined,
    limit: number,
    manager?: EntityManager,
  ): Promise<AuditEntryRow[]> {
    return reading(this.dataSource, manager, (m) => {
      const query = m
        .getRepository(AuditEntryEntity)
        .createQueryBuilder('entry')
        .where('entry.sequence > :after', { after });
      if (upTo !== undefined) query.andWhere('entry.sequence <= :upTo', { upTo });
      return query.orderBy('entry.sequence', 'ASC').limit(limit).getMany();
    });
  }
}

/** `text` with LIKE's wildcards (and the escape character) escaped by a backslash. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toEntry(row: AuditEntryRow): AuditEntry {
  let data: JsonValue;
  try {
    data = JSON.parse(row.data) as JsonValue;
  } catch {
    data = row.data;
  }
  return {
    sequence: Number(row.sequence),
    at: row.at,
    kind: row.kind,
    actor: row.actor,
    subject: row.subject,
    data,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}
