/**
 * The outbox: an event is written in the transaction of the change that causes it, so it
 * exists if and only if that change committed, and it is pushed and listed afterwards.
 *
 * Payload rule (docs/events.md): no personal data. Members by DID; citizens only by the
 * pairwise identifier their controller already holds; otherwise ids, codes and times.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { canonicalJson } from '../json/canonical.js';
import {
  DeliveryEntity,
  type DeliveryRow,
  EventAudienceEntity,
  EventEntity,
  EventHeadEntity,
  SubscriptionEntity,
} from './entities.js';
import { InvalidEventError } from './errors.js';
import { type EventType, isEventType } from './types.js';

/** The PostgreSQL channel that wakes delivery workers when deliveries were added. */
export const EVENTS_CHANNEL = 'dataspace_trust_events';

/** An event to append. */
export interface NewEvent {
  /** A registered type (src/events/types.ts), e.g. `consent.withdrawn`. */
  readonly type: EventType;
  /** What it is about: a member DID, a consent id, an agreement id (at most 500 characters). */
  readonly subject: string;
  /** The member DIDs allowed to see it (e.g. a consent's controller and recipients), or every member. */
  readonly audience: readonly string[] | 'members';
  /** Plain JSON facts, without personal data (at most 8 KiB as canonical JSON). */
  readonly data: Readonly<Record<string, unknown>>;
}

/** What `append` wrote. */
export interface AppendedEvent {
  readonly sequence: number;
  /** The UUID receivers de-duplicate on (the SET's `jti`). */
  readonly id: string;
  readonly type: EventType;
  readonly subject: string;
  readonly occurredAt: string;
  /** How many subscriptions it will be pushed to. */
  readonly deliveries: number;
}

export const MAX_EVENT_DATA_LENGTH = 8_192;
export const MAX_AUDIENCE = 100;
const MAX_DATA_DEPTH = 8;
const DID = /^did:[a-z0-9]+:[\x21-\x7e]+$/;
const NO_CONTROL = /^[^\p{Cc}]+$/u;
const HEAD_ID = 1;
/** Rows per INSERT: well below SQLite's bound on variables in one statement. */
const CHUNK = 200;

export interface OutboxOptions {
  readonly now?: () => Date;
}

/**
 * Appends events. Sequences are handed out under the `event_head` row lock, held until the
 * caller commits: a sequence becomes visible only after every smaller one has committed or
 * rolled back (and a rolled-back one is handed out again), so a reader that saw sequence n
 * has seen every event up to n, and `after=n` never skips one. The price is that event-writing
 * transactions take turns from their append to their commit: append last, just before
 * committing, and after the audit entry when there is one (audit_head, then event_head: one
 * lock order everywhere, so two transactions never wait on each other in a cycle).
 *
 * Fan-out: the delivery rows are written here, in the same transaction, one per active
 * subscription that names the type and whose member is in the audience. Chosen over
 * per-subscription cursors because (1) which subscriptions get an event is decided once, at
 * the moment it happened, so one created later never gets old events pushed (it reads the
 * feed); (2) each delivery is a row that one worker claims (`FOR UPDATE SKIP LOCKED`) and
 * that carries its own attempts, backoff and log, so a dead endpoint delays nothing else —
 * a cursor would block its subscription on its oldest failure or need this state anyway;
 * (3) the cost, one row per receiving subscription, is bounded by the subscriptions cap and
 * the audience, and lands on rare writes (consent changes, lifecycle decisions).
 */
export class EventOutbox {
  private readonly now: () => Date;

  constructor(options: OutboxOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Writes `event` in the caller's transaction (`manager` must belong to an open one: the event
   * exists iff the cause commits). Throws InvalidEventError for an unknown type, a bad subject
   * or audience, or data that is not plain JSON or too large — rolling the cause back with it.
   */
  async append(manager: EntityManager, event: NewEvent): Promise<AppendedEvent> {
    const valid = validate(event);
    if (!manager.queryRunner?.isTransactionActive) {
      throw new InvalidEventError('an event is appended in the transaction of its cause: pass its manager');
    }
    await manager
      .createQueryBuilder()
      .update(EventHeadEntity)
      .set({ lastSequence: () => 'last_sequence + 1' })
      .where('id = :id', { id: HEAD_ID })
      .execute();
    const head = await manager.getRepository(EventHeadEntity).findOneBy({ id: HEAD_ID });
    if (!head) throw new Error('the event_head row is missing: run the migrations');
    const sequence = Number(head.lastSequence);
    const occurredAt = this.now().toISOString();
    const id = randomUUID();
    await manager.getRepository(EventEntity).insert({
      sequence,
      id,
      type: valid.type,
      subject: valid.subject,
      audience: valid.audience === 'members' ? 'members' : 'listed',
      data: valid.dataText,
      occurredAt,
    });
    if (valid.audience !== 'members') {
      for (const part of chunks(valid.audience))
        await manager.getRepository(EventAudienceEntity).insert(part.map((did) => ({ sequence, did })));
    }
    const deliveries = await this.fanOut(manager, valid, sequence, occurredAt);
    if (deliveries > 0 && manager.connection.options.type === 'postgres') {
      // Delivered at commit, and only then: a rolled-back append wakes nobody.
      await manager.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, String(sequence)]);
    }
    return { sequence, id, type: valid.type, subject: valid.subject, occurredAt, deliveries };
  }

  /**
   * Writes several events in the caller's transaction, in order, as `append` would one by one,
   * but in a bounded number of statements: one move of the head for all, the events, their
   * audiences and their deliveries inserted in batches, one read of the subscriptions, one
   * wake-up. Every event is validated before anything is written. Answers what was written.
   */
  async appendMany(manager: EntityManager, events: readonly NewEvent[]): Promise<AppendedEvent[]> {
    const valid = events.map(validate);
    if (valid.length === 0) return [];
    if (!manager.queryRunner?.isTransactionActive) {
      throw new InvalidEventError('an event is appended in the transaction of its cause: pass its manager');
    }
    await manager
      .createQueryBuilder()
      .update(EventHeadEntity)
      .set({ lastSequence: () => `last_sequence + ${valid.length}` })
      .where('id = :id', { id: HEAD_ID })
      .execute();
    const head = await manager.getRepository(EventHeadEntity).findOneBy({ id: HEAD_ID });
    if (!head) throw new Error('the event_head row is missing: run the migrations');
    const first = Number(head.lastSequence) - valid.length + 1;
    const occurredAt = this.now().toISOString();
    const written = valid.map((event, index) => ({
      event,
      sequence: first + index,
      id: randomUUID(),
    }));
    for (const part of chunks(written))
      await manager.getRepository(EventEntity).insert(
        part.map(({ event, sequence, id }) => ({
          sequence,
          id,
          type: event.type,
          subject: event.subject,
          audience: event.audience === 'members' ? ('members' as const) : ('listed' as const),
          data: event.dataText,
          occurredAt,
        })),
      );
    const audienceRows = written.flatMap(({ event, sequence }) =>
      event.audience === 'members' ? [] : event.audience.map((did) => ({ sequence, did })),
    );
    for (const part of chunks(audienceRows)) await manager.getRepository(EventAudienceEntity).insert(part);
    const subscriptions = await this.subscriptionsFor(
      manager,
      written.map(({ event }) => event),
    );
    const deliveries: DeliveryRow[] = [];
    const counts = written.map(({ event, sequence }) => {
      const receivers = subscriptions.filter(
        (subscription) =>
          subscription.types.includes(event.type) &&
          (event.audience === 'members' || event.audience.includes(subscription.memberDid)),
      );
      for (const subscription of receivers) deliveries.push(delivery(subscription.id, sequence, occurredAt));
      return receivers.length;
    });
    for (const part of chunks(deliveries)) await manager.getRepository(DeliveryEntity).insert(part);
    if (deliveries.length > 0 && manager.connection.options.type === 'postgres') {
      await manager.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, String(first + valid.length - 1)]);
    }
    return written.map(({ event, sequence, id }, index) => ({
      sequence,
      id,
      type: event.type,
      subject: event.subject,
      occurredAt,
      deliveries: counts[index] ?? 0,
    }));
  }

  /** The active subscriptions of any member in the events' audiences (every one if an event is for all members). */
  private async subscriptionsFor(
    manager: EntityManager,
    events: readonly ValidEvent[],
  ): Promise<{ id: string; memberDid: string; types: string[] }[]> {
    const everyone = events.some((event) => event.audience === 'members');
    const dids = everyone
      ? [undefined]
      : chunks([...new Set(events.flatMap((event) => (event.audience === 'members' ? [] : event.audience)))]);
    const found: { id: string; memberDid: string; types: string[] }[] = [];
    for (const part of dids) {
      const query = manager
        .getRepository(SubscriptionEntity)
        .createQueryBuilder('s')
        .select(['s.id', 's.memberDid', 's.types'])
        .where('s.status = :status', { status: 'active' });
      if (part) query.andWhere('s.memberDid IN (:...dids)', { dids: part });
      for (const row of await query.getMany())
        found.push({ id: row.id, memberDid: row.memberDid, types: JSON.parse(row.types) as string[] });
    }
    return found;
  }

  private async fanOut(
    manager: EntityManager,
    event: ValidEvent,
    sequence: number,
    occurredAt: string,
  ): Promise<number> {
    const query = manager
      .getRepository(SubscriptionEntity)
      .createQueryBuilder('s')
      .select(['s.id', 's.types'])
      .where('s.status = :status', { status: 'active' });
    if (event.audience !== 'members') query.andWhere('s.memberDid IN (:...dids)', { dids: event.audience });
    const subscriptions = await query.getMany();
    const rows: DeliveryRow[] = subscriptions
      .filter((subscription) => (JSON.parse(subscription.types) as string[]).includes(event.type))
      .map((subscription) => delivery(subscription.id, sequence, occurredAt));
    for (const part of chunks(rows)) await manager.getRepository(DeliveryEntity).insert(part);
    return rows.length;
  }
}

interface ValidEvent {
  readonly type: EventType;
  readonly subject: string;
  readonly audience: readonly string[] | 'members';
  readonly dataText: string;
}

function validate(event: NewEvent): ValidEvent {
  if (!isEventType(event.type)) throw new InvalidEventError(`unknown event type ${String(event.type)}`);
  const { subject } = event;
  if (typeof subject !== 'string' || subject.length > 500 || !NO_CONTROL.test(subject)) {
    throw new InvalidEventError('subject must be 1 to 500 characters without control characters');
  }
  let audience: readonly string[] | 'members';
  if (event.audience === 'members') audience = 'members';
  else {
    if (
      !Array.isArray(event.audience) ||
      event.audience.length === 0 ||
      event.audience.length > MAX_AUDIENCE
    ) {
      throw new InvalidEventError(`audience must be 'members' or 1 to ${MAX_AUDIENCE} member DIDs`);
    }
    for (const did of event.audience) {
      if (typeof did !== 'string' || did.length > 500 || !DID.test(did))
        throw new InvalidEventError(
          `audience holds something that is not a DID: ${String(did).slice(0, 80)}`,
        );
    }
    audience = [...new Set(event.audience)];
  }
  const data = event.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new InvalidEventError('data must be a JSON object');
  let dataText: string;
  try {
    dataText = canonicalJson(data, MAX_DATA_DEPTH);
  } catch (error) {
    throw new InvalidEventError(`data must be plain JSON: ${(error as Error).message}`);
  }
  if (dataText.length > MAX_EVENT_DATA_LENGTH)
    throw new InvalidEventError(`data takes ${dataText.length} characters; at most ${MAX_EVENT_DATA_LENGTH}`);
  return { type: event.type, subject, audience, dataText };
}

/** A pending delivery of event `sequence` to a subscription. */
function delivery(subscriptionId: string, sequence: number, occurredAt: string): DeliveryRow {
  return {
    id: randomUUID(),
    subscriptionId,
    eventSequence: sequence,
    state: 'pending',
    attempts: 0,
    nextAttemptAt: occurredAt,
    leaseOwner: null,
    leaseUntil: null,
    createdAt: occurredAt,
    settledAt: null,
    expiresAt: null,
  };
}

function chunks<T>(items: readonly T[]): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += CHUNK) parts.push(items.slice(start, start + CHUNK));
  return parts;
}
