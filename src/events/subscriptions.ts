/**
 * Members' webhook subscriptions and their delivery logs. Every method takes the calling
 * member's DID (from its connector token): a member sees and changes only its own; another
 * member's subscription id is answered `not_found`, like one that does not exist.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { lockKey } from '../db/key-lock.js';
import { inTransaction, reading } from '../db/transactions.js';
import {
  DeliveryAttemptEntity,
  DeliveryEntity,
  type DeliveryState,
  EventEntity,
  SubscriptionEntity,
  type SubscriptionRow,
  type SubscriptionStatus,
} from './entities.js';
import { EventError } from './errors.js';
import { type EventType, isEventType } from './types.js';
import { checkWebhookUrl } from './url-policy.js';

export interface SubscriptionView {
  readonly id: string;
  readonly url: string;
  readonly types: readonly EventType[];
  readonly status: SubscriptionStatus;
  readonly createdAt: string;
}

export interface AttemptView {
  readonly number: number;
  readonly at: string;
  /** The receiver's HTTP status, when it answered. */
  readonly httpStatus: number | null;
  /** Why it failed (`timeout`, `connection_failed`, `http_status: answered 500`, …); null on success. */
  readonly error: string | null;
  readonly durationMs: number;
  /** When the next attempt was scheduled after this one, if any. */
  readonly nextAttemptAt: string | null;
}

export interface DeliveryView {
  readonly id: string;
  readonly eventId: string;
  readonly sequence: number;
  readonly type: EventType;
  readonly state: DeliveryState;
  readonly createdAt: string;
  readonly nextAttemptAt: string | null;
  readonly settledAt: string | null;
  readonly attempts: readonly AttemptView[];
}

export interface DeliveryPage {
  readonly items: readonly DeliveryView[];
  /** The `before` of the next (older) page; null when this page reaches the first delivery. */
  readonly next: number | null;
}

export interface SubscriptionsOptions {
  readonly dataSource: DataSource;
  /** PUBLIC_URL is on loopback: http and loopback webhooks are allowed (see url-policy.ts). */
  readonly developmentMode: boolean;
  /** Active subscriptions one member may hold (EVENT_SUBSCRIPTIONS_PER_MEMBER). */
  readonly maxPerMember: number;
  readonly now?: () => Date;
}

const MAX_TYPES = 50;
/** An arbitrary, fixed key: with the member's hash it serialises one member's creations (PostgreSQL). */
const CREATE_LOCK = 79_502_000;
const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivered', 'failed'];

export class Subscriptions {
  private readonly now: () => Date;

  constructor(private readonly options: SubscriptionsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Registers `{ url, types }` for `memberDid`. Refuses a bad URL (see url-policy.ts), an empty
   * or unknown type, the same URL twice (`subscription_exists`) and more than the cap
   * (`too_many_subscriptions`). Only events appended from now on are pushed to it.
   */
  async create(memberDid: string, input: Readonly<Record<string, unknown>>): Promise<SubscriptionView> {
    const url = checkWebhookUrl(input.url, this.options.developmentMode).href;
    const types = checkTypes(input.types);
    const { dataSource, maxPerMember } = this.options;
    return inTransaction(dataSource, undefined, async (manager) => {
      // Two creations by one member take turns, so the cap and the duplicate check hold.
      await lockKey(manager, CREATE_LOCK, memberDid);
      const own = await manager
        .getRepository(SubscriptionEntity)
        .findBy({ memberDid, status: 'active' as SubscriptionStatus });
      if (own.some((row) => row.url === url))
        throw new EventError('subscription_exists', 'this member already subscribed this url');
      if (own.length >= maxPerMember)
        throw new EventError(
          'too_many_subscriptions',
          `a member may hold at most ${maxPerMember} subscriptions`,
        );
      const row: SubscriptionRow = {
        id: randomUUID(),
        memberDid,
        url,
        types: JSON.stringify(types),
        status: 'active',
        createdAt: this.now().toISOString(),
      };
      await manager.getRepository(SubscriptionEntity).insert(row);
      return view(row);
    });
  }

  /** The member's subscriptions, oldest first. */
  async list(memberDid: string): Promise<SubscriptionView[]> {
    const rows = await reading(this.options.dataSource, undefined, (manager) =>
      manager
        .getRepository(SubscriptionEntity)
        .find({ where: { memberDid }, order: { createdAt: 'ASC', id: 'ASC' } }),
    );
    return rows.map(view);
  }

  async get(memberDid: string, id: string): Promise<SubscriptionView> {
    return view(await this.own(memberDid, id));
  }

  /** Deletes the subscription with its pending and past deliveries: nothing more is pushed to it. */
  async remove(memberDid: string, id: string): Promise<void> {
    await inTransaction(this.options.dataSource, undefined, async (manager) => {
      await this.own(memberDid, id, manager);
      await manager
        .createQueryBuilder()
        .delete()
        .from(DeliveryAttemptEntity)
        .where('delivery_id IN (SELECT id FROM event_delivery WHERE subscription_id = :id)', { id })
        .execute();
      await manager.getRepository(DeliveryEntity).delete({ subscriptionId: id });
      await manager.getRepository(SubscriptionEntity).delete({ id });
    });
  }

  /**
   * Ends every subscription of a member that left (revoked, withdrawn), in the caller's
   * transaction: deliveries already made for earlier events still go out, no new ones are made.
   */
  async endAllOf(memberDid: string, manager: EntityManager): Promise<number> {
    const result = await manager
      .getRepository(SubscriptionEntity)
      .update({ memberDid, status: 'active' as SubscriptionStatus }, { status: 'ended' });
    return result.affected ?? 0;
  }

  /** The delivery log of one subscription, newest first, with every attempt. */
  async deliveries(
    memberDid: string,
    id: string,
    page: { readonly before?: number; readonly limit: number; readonly state?: string },
  ): Promise<DeliveryPage> {
    const state = page.state;
    if (state !== undefined && !(DELIVERY_STATES as readonly string[]).includes(state))
      throw new EventError('invalid_state', `state must be one of ${DELIVERY_STATES.join(', ')}`);
    await this.own(memberDid, id);
    return reading(this.options.dataSource, undefined, async (manager) => {
      const query = manager
        .getRepository(DeliveryEntity)
        .createQueryBuilder('d')
        .where('d.subscriptionId = :id', { id })
        .orderBy('d.eventSequence', 'DESC')
        .limit(page.limit + 1);
      if (page.before !== undefined) query.andWhere('d.eventSequence < :before', { before: page.before });
      if (state !== undefined) query.andWhere('d.state = :state', { state });
      const rows = await query.getMany();
      const deliveries = rows.slice(0, page.limit);
      if (deliveries.length === 0) return { items: [], next: null };
      const ids = deliveries.map((row) => row.id);
      const attempts = await manager
        .getRepository(DeliveryAttemptEntity)
        .createQueryBuilder('a')
        .where('a.deliveryId IN (:...ids)', { ids })
        .orderBy('a.number', 'ASC')
        .getMany();
      const events = new Map(
        (
          await manager
            .getRepository(EventEntity)
            .createQueryBuilder('e')
            .select(['e.sequence', 'e.id', 'e.type'])
            .where('e.sequence IN (:...sequences)', {
              sequences: deliveries.map((row) => Number(row.eventSequence)),
            })
            .getMany()
        ).map((row) => [Number(row.sequence), row]),
      );
      const items = deliveries.map((row): DeliveryView => {
        const event = events.get(Number(row.eventSequence));
        return {
          id: row.id,
          eventId: event?.id ?? '',
          sequence: Number(row.eventSequence),
          type: event?.type as EventType,
          state: row.state,
          createdAt: row.createdAt,
          nextAttemptAt: row.nextAttemptAt,
          settledAt: row.settledAt,
          attempts: attempts
            .filter((attempt) => attempt.deliveryId === row.id)
            .map((attempt) => ({
              number: attempt.number,
              at: attempt.at,
              httpStatus: attempt.httpStatus,
              error: attempt.error,
              durationMs: attempt.durationMs,
              nextAttemptAt: attempt.nextAttemptAt,
            })),
        };
      });
      return { items, next: rows.length > page.limit ? (items.at(-1)?.sequence ?? null) : null };
    });
  }

  private async own(memberDid: string, id: string, manager?: EntityManager): Promise<SubscriptionRow> {
    const row = await reading(this.options.dataSource, manager, (m) =>
      m.getRepository(SubscriptionEntity).findOneBy({ id }),
    );
    if (!row || row.memberDid !== memberDid)
      throw new EventError('not_found', 'no subscription of yours has this id');
    return row;
  }
}

function checkTypes(raw: unknown): EventType[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_TYPES)
    throw new EventError('invalid_types', `types must be an array of 1 to ${MAX_TYPES} event types`);
  for (const type of raw) {
    if (typeof type !== 'string') throw new EventError('invalid_types', 'types must hold strings');
    if (!isEventType(type))
      throw new EventError(
        'unknown_event_type',
        `${type.slice(0, 100)} is not an event type (see docs/events.md)`,
      );
  }
  return [...new Set(raw as EventType[])];
}

function view(row: SubscriptionRow): SubscriptionView {
  return {
    id: row.id,
    url: row.url,
    types: JSON.parse(row.types) as EventType[],
    status: row.status,
    createdAt: row.createdAt,
  };
}
