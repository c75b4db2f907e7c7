import { EntitySchema } from 'typeorm';

/**
 * One event, as migration EventOutbox1795000000200 stores it. `sequence` is the feed's cursor:
 * assigned under the `event_head` row lock, so sequences become visible in commit order, with
 * no gaps (see outbox.ts). `id` is the UUID receivers de-duplicate on (the SET's `jti`).
 */
export interface EventRow {
  /** bigint: PostgreSQL's driver answers it as a string. */
  sequence: number | string;
  id: string;
  type: string;
  subject: string;
  /** `members`: every member; `listed`: the DIDs in `event_audience`. */
  audience: 'members' | 'listed';
  /** The payload as JSON. */
  data: string;
  occurredAt: string;
}

/** The single row (id 1) that hands out sequences; appends lock it until their commit. */
export interface EventHeadRow {
  id: number;
  lastSequence: number | string;
}

/** A DID allowed to see a `listed` event. */
export interface EventAudienceRow {
  sequence: number | string;
  did: string;
}

export type SubscriptionStatus = 'active' | 'ended';

/** A member's webhook endpoint. `types` is a JSON array of event type names. */
export interface SubscriptionRow {
  id: string;
  memberDid: string;
  url: string;
  types: string;
  /** `ended`: the member left (revoked, withdrawn); no new deliveries are made for it. */
  status: SubscriptionStatus;
  createdAt: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One event to push to one subscription, with its retry state and lease. */
export interface DeliveryRow {
  id: string;
  subscriptionId: string;
  eventSequence: number | string;
  state: DeliveryState;
  attempts: number;
  /** When the next attempt is due (pending only). */
  nextAttemptAt: string | null;
  /** The worker that holds the delivery, until `leaseUntil`: a crash mid-attempt lets it go again. */
  leaseOwner: string | null;
  leaseUntil: string | null;
  createdAt: string;
  settledAt: string | null;
  /** Set when delivered: the sweep deletes the row (and its attempts) after this time. */
  expiresAt: string | null;
}

/** One attempt of a delivery: when, what the receiver answered or what failed, and what next. */
export interface DeliveryAttemptRow {
  deliveryId: string;
  number: number;
  at: string;
  httpStatus: number | null;
  /** A stable code (`timeout`, `connection_failed`, `http_status`, …) and a short detail. */
  error: string | null;
  durationMs: number;
  nextAttemptAt: string | null;
  /** Copied from the delivery when it is delivered: swept with it. */
  expiresAt: string | null;
}

const iso = { type: 'varchar' as const, length: 32 };

export const EventEntity = new EntitySchema<EventRow>({
  name: 'EventOutbox',
  tableName: 'event_outbox',
  columns: {
    sequence: { type: 'bigint', primary: true },
    id: { type: 'varchar', length: 36 },
    type: { type: 'varchar', length: 100 },
    subject: { type: 'varchar', length: 500 },
    audience: { type: 'varchar', length: 16 },
    data: { type: 'text' },
    occurredAt: { name: 'occurred_at', ...iso },
  },
  indices: [
    { name: 'event_outbox_id', columns: ['id'], unique: true },
    { name: 'event_outbox_audience', columns: ['audience', 'sequence'] },
  ],
});

export const EventHeadEntity = new EntitySchema<EventHeadRow>({
  name: 'EventHead',
  tableName: 'event_head',
  columns: {
    id: { type: 'integer', primary: true },
    lastSequence: { name: 'last_sequence', type: 'bigint' },
  },
});

export const EventAudienceEntity = new EntitySchema<EventAudienceRow>({
  name: 'EventAudience',
  tableName: 'event_audience',
  columns: {
    sequence: { type: 'bigint', primary: true },
    did: { type: 'varchar', length: 500, primary: true },
  },
  indices: [{ name: 'event_audience_did', columns: ['did', 'sequence'] }],
});

export const SubscriptionEntity = new EntitySchema<SubscriptionRow>({
  name: 'EventSubscription',
  tableName: 'event_subscription',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    memberDid: { name: 'member_did', type: 'varchar', length: 500 },
    url: { type: 'varchar', length: 2048 },
    types: { type: 'text' },
    status: { type: 'varchar', length: 16 },
    createdAt: { name: 'created_at', ...iso },
  },
  indices: [{ name: 'event_subscription_member', columns: ['memberDid'] }],
});

export const DeliveryEntity = new EntitySchema<DeliveryRow>({
  name: 'EventDelivery',
  tableName: 'event_delivery',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    subscriptionId: { name: 'subscription_id', type: 'varchar', length: 36 },
    eventSequence: { name: 'event_sequence', type: 'bigint' },
    state: { type: 'varchar', length: 16 },
    attempts: { type: 'integer' },
    nextAttemptAt: { name: 'next_attempt_at', ...iso, nullable: true },
    leaseOwner: { name: 'lease_owner', type: 'varchar', length: 100, nullable: true },
    leaseUntil: { name: 'lease_until', ...iso, nullable: true },
    createdAt: { name: 'created_at', ...iso },
    settledAt: { name: 'settled_at', ...iso, nullable: true },
    expiresAt: { name: 'expires_at', ...iso, nullable: true },
  },
  indices: [
    { name: 'event_delivery_due', columns: ['state', 'nextAttemptAt'] },
    { name: 'event_delivery_subscription', columns: ['subscriptionId', 'eventSequence'], unique: true },
    { name: 'event_delivery_expires', columns: ['expiresAt'] },
  ],
});

export const DeliveryAttemptEntity = new EntitySchema<DeliveryAttemptRow>({
  name: 'EventDeliveryAttempt',
  tableName: 'event_delivery_attempt',
  columns: {
    deliveryId: { name: 'delivery_id', type: 'varchar', length: 36, primary: true },
    number: { type: 'integer', primary: true },
    at: iso,
    httpStatus: { name: 'http_status', type: 'integer', nullable: true },
    error: { type: 'varchar', length: 300, nullable: true },
    durationMs: { name: 'duration_ms', type: 'integer' },
    nextAttemptAt: { name: 'next_attempt_at', ...iso, nullable: true },
    expiresAt: { name: 'expires_at', ...iso, nullable: true },
  },
  indices: [{ name: 'event_delivery_attempt_expires', columns: ['expiresAt'] }],
});

/** Every entity of the events capability, for the one data source. */
export const EVENT_ENTITIES = [
  EventEntity,
  EventHeadEntity,
  EventAudienceEntity,
  SubscriptionEntity,
  DeliveryEntity,
  DeliveryAttemptEntity,
];
