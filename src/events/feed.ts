/**
 * The feed: `GET /api/v1/events?after=<cursor>` lists, in sequence order, the events the
 * calling member may see (those for every member, and those naming it in their audience),
 * each with its SET signed for that member, so a connector that was down catches up.
 *
 * Consistency: the page is read below the head's sequence as read first. Sequences are handed
 * out under the head's lock and commit with it (outbox.ts), so every event up to that head is
 * committed and visible; the page can then say "nothing more for you up to n" (`next` at n)
 * without a later commit ever landing below it. `next` is an opaque cursor (cursor.ts): the
 * head is everyone's position and is not the member's to read.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { reading } from '../db/transactions.js';
import type { FeedCursors } from './cursor.js';
import { EventAudienceEntity, EventEntity, EventHeadEntity, type EventRow } from './entities.js';
import type { SetSigner, StoredEvent } from './set.js';
import type { EventType } from './types.js';

export interface FeedItem extends StoredEvent {
  /** The event as a SET signed by the service DID for the calling member (`aud`). */
  readonly set: string;
}

export interface FeedPage {
  readonly items: readonly FeedItem[];
  /**
   * The `after` of the next call, an opaque cursor for this member: every event for it up to
   * the cursor's position has been listed.
   */
  readonly next: string;
}

export const MAX_FEED_LIMIT = 100;

export interface FeedOptions {
  readonly dataSource: DataSource;
  readonly sets: SetSigner;
  readonly cursors: FeedCursors;
  readonly now?: () => Date;
}

export class EventFeed {
  private readonly now: () => Date;

  constructor(private readonly options: FeedOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Events visible to `memberDid` with a sequence above `after`, at most `limit` (1 to 100). */
  async page(memberDid: string, after: number, limit: number): Promise<FeedPage> {
    const { rows, head } = await reading(this.options.dataSource, undefined, (manager) =>
      this.read(manager, memberDid, after, limit),
    );
    const now = this.now();
    const items: FeedItem[] = [];
    for (const row of rows) {
      const event = stored(row);
      items.push({ ...event, set: await this.options.sets.sign(event, memberDid, now) });
    }
    const last = items.at(-1)?.sequence;
    const position = items.length === limit ? (last as number) : Math.max(after, head);
    return { items, next: this.options.cursors.seal(position, memberDid) };
  }

  /** The position of a `next` cursor given to `memberDid`; undefined when it is not one (or another member's). */
  position(cursor: string, memberDid: string): number | undefined {
    return this.options.cursors.open(cursor, memberDid);
  }

  private async read(manager: EntityManager, did: string, after: number, limit: number) {
    const headRow = await manager.getRepository(EventHeadEntity).findOneBy({ id: 1 });
    const head = Number(headRow?.lastSequence ?? 0);
    if (head <= after) return { rows: [] as EventRow[], head };
    // Two index ranges, merged: (audience, sequence) for everyone's, (did, sequence) for the member's.
    const everyone = await manager
      .getRepository(EventEntity)
      .createQueryBuilder('e')
      .where('e.audience = :members', { members: 'members' })
      .andWhere('e.sequence > :after AND e.sequence <= :head', { after, head })
      .orderBy('e.sequence', 'ASC')
      .limit(limit)
      .getMany();
    const mine = await manager
      .getRepository(EventAudienceEntity)
      .createQueryBuilder('a')
      .select(['a.sequence'])
      .where('a.did = :did', { did })
      .andWhere('a.sequence > :after AND a.sequence <= :head', { after, head })
      .orderBy('a.sequence', 'ASC')
      .limit(limit)
      .getMany();
    const listed =
      mine.length === 0
        ? []
        : await manager
            .getRepository(EventEntity)
            .createQueryBuilder('e')
            .where('e.sequence IN (:...sequences)', { sequences: mine.map((row) => Number(row.sequence)) })
            .getMany();
    const rows = [...everyone, ...listed]
      .sort((a, b) => Number(a.sequence) - Number(b.sequence))
      .slice(0, limit);
    return { rows, head };
  }
}

function stored(row: EventRow): StoredEvent {
  return {
    sequence: Number(row.sequence),
    id: row.id,
    type: row.type as EventType,
    subject: row.subject,
    occurredAt: row.occurredAt,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}
