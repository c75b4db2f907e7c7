/**
 * The member rows that every connector request reads (is the caller's member active? is the
 * consent's controller active?), kept per replica without a database read per request and
 * without serving a stale status.
 *
 * On PostgreSQL, every change of a member's status announces the DID (`NOTIFY` on
 * MEMBERS_CHANNEL, in the changing transaction, so exactly when it commits), and each replica
 * LISTENs. A cached row is served only while the listening connection was proven alive within
 * CONFIRMED_FOR_MS and no reconnection happened since the row was read (the same rules as the
 * status-list copies, src/credentials/status/revision-watch.ts): otherwise every lookup reads
 * the database. Rows are cached only when found: a DID that is not a member is read each time,
 * so an admission needs no announcement. Other fields (roles, name) may change without an
 * announcement (renewal): entries also age out after `ttlMs`.
 *
 * On SQLite there is no announcement (and several worker processes may share the file), so
 * nothing is cached: the read is a local primary-key lookup.
 */
import type { EntityManager } from 'typeorm';
import { type ChannelListener, type DatabaseListener, listenOnChannel } from '../db/listener.js';

/** The channel member status changes are announced on; the payload is the member's DID. */
export const MEMBERS_CHANNEL = 'dataspace_trust_members';

/** See CONFIRMED_FOR_MS of the status-list watch: the same bound for member rows. */
const CONFIRMED_FOR_MS = 3_000;

/** Announces, inside the transaction that changes it, that a member's row changed (PostgreSQL only). */
export async function announceMemberChange(manager: EntityManager, did: string): Promise<void> {
  if (manager.connection.options.type !== 'postgres') return;
  await manager.query('SELECT pg_notify($1, $2)', [MEMBERS_CHANNEL, did]);
}

export interface MemberCacheOptions<Row> {
  /** PostgreSQL: listen for announcements; undefined (SQLite): no caching. */
  readonly databaseUrl: string | undefined;
  /** The process's shared listening connection (PostgreSQL); without it the cache opens its own. */
  readonly connection?: DatabaseListener;
  /** Reads one member's row from the database. */
  readonly load: (did: string) => Promise<Row | undefined>;
  /** How many rows are kept. Default 10,000. */
  readonly maxEntries?: number;
  /** How long a row is kept at most. Default 30 s. */
  readonly ttlMs?: number;
  readonly now?: () => number;
  readonly onState?: (listening: boolean, error?: Error) => void;
}

interface Entry<Row> {
  readonly row: Row;
  readonly epoch: number;
  readonly readAt: number;
}

export class MemberCache<Row> {
  private readonly entries = new Map<string, Entry<Row>>();
  /** Counts announcements: a row read while one arrived may predate it and is not stored. */
  private announcements = 0;
  private readonly listener: ChannelListener | undefined;
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: MemberCacheOptions<Row>) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.ttlMs = options.ttlMs ?? 30_000;
    this.now = options.now ?? Date.now;
    if (options.databaseUrl !== undefined) {
      const subscription = {
        channel: MEMBERS_CHANNEL,
        onNotification: (did: string) => {
          this.announcements += 1;
          this.entries.delete(did);
        },
        onState: (listening: boolean, error?: Error) => {
          // Changes made while nobody listened were never announced.
          this.entries.clear();
          options.onState?.(listening, error);
        },
      };
      this.listener =
        options.connection?.subscribe(subscription) ??
        listenOnChannel({ databaseUrl: options.databaseUrl, now: this.now, ...subscription });
    }
  }

  /** The member's row: from the cache when announcements can be relied on, else from the database. */
  async find(did: string): Promise<Row | undefined> {
    const epoch = this.confirmedEpoch();
    if (epoch === undefined) return this.options.load(did);
    const cached = this.entries.get(did);
    if (cached && cached.epoch === epoch && this.now() - cached.readAt < this.ttlMs) return cached.row;
    const readAt = this.now();
    const announcementsBefore = this.announcements;
    const row = await this.options.load(did);
    if (row !== undefined && this.confirmedEpoch() === epoch && this.announcements === announcementsBefore) {
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
      this.entries.delete(did);
      this.entries.set(did, { row, epoch, readAt });
    }
    return row;
  }

  /**
   * Drops the member's row now, in the replica that changes it (called inside the changing
   * transaction, beside the announcement): a request this replica serves after the commit reads
   * the row afresh instead of waiting for its own announcement to come back.
   */
  forget(did: string): void {
    this.entries.delete(did);
  }

  /** Waits until announcements are listened to (tests; PostgreSQL only). */
  async ready(): Promise<void> {
    await this.listener?.ready;
  }

  async close(): Promise<void> {
    this.entries.clear();
    await this.listener?.close();
  }

  /** The listener's epoch while its connection was proven alive recently, else undefined. */
  private confirmedEpoch(): number | undefined {
    const listener = this.listener;
    if (!listener?.listening) return undefined;
    const at = listener.lastConfirmedAt;
    if (at === undefined || this.now() - at > CONFIRMED_FOR_MS) return undefined;
    return listener.epoch;
  }
}
