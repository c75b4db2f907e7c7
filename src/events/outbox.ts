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
      .map((subscription) => ({
        id: randomUUID(),
        subscriptionId: subscription.id,
        eventSequence: sequence,
        state: 'pending',
        attempts: 0,
        nextAttemptAt: occurredAt,
        leaseOwner: null,
        leaseUntil: null,
        createdAt: occurredAt,
        settledAt: null,
        expiresAt: null,
      }));
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

function chunks<T>(items: readonly T[]): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += CHUNK) parts.push(items.slice(start, start + CHUNK));
  return parts;
}
