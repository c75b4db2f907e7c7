/**
 * The delivery worker: claims due deliveries, pushes each event's SET to its subscription's
 * endpoint, and records the attempt. At least once: a delivery is settled only after the
 * receiver's 2xx is recorded; anything else (an error, a crash, a lost lease) leaves it to be
 * tried again. Receivers de-duplicate on the SET's `jti`.
 *
 * Any number of workers, in any number of processes and replicas: a claim is one short
 * transaction that picks due rows with `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite's write
 * lock serialises claims) and stamps them with this worker's lease. A row under a live lease is
 * never claimed again, so under normal conditions each delivery is pushed by exactly one
 * worker; when a worker dies mid-attempt, its lease runs out and another takes the row over.
 *
 * Prompt: on PostgreSQL the worker LISTENs on `dataspace_trust_events` (appends NOTIFY at
 * commit) and runs at once; it also polls every `pollIntervalMs`, which is the fallback while
 * the listening connection is down, the way retries come due, and the only trigger on SQLite.
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataSource, EntityManager } from 'typeorm';
import { type ChannelListener, type DatabaseListener, listenOnChannel } from '../db/listener.js';
import { inTransaction, isPostgres } from '../db/transactions.js';
import { type BackoffPolicy, nextAttempt } from './backoff.js';
import {
  DeliveryAttemptEntity,
  DeliveryEntity,
  type DeliveryRow,
  EventEntity,
  SubscriptionEntity,
} from './entities.js';
import { EVENTS_CHANNEL } from './outbox.js';
import type { SetSigner, StoredEvent } from './set.js';
import { type PushOptions, type PushOutcome, pushSet } from './transport.js';
import type { EventType } from './types.js';

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

export interface DeliveryWorkerOptions {
  readonly dataSource: DataSource;
  readonly sets: SetSigner;
  readonly policy: BackoffPolicy;
  /** How pushes connect (development mode, deadline, test transport). */
  readonly push: PushOptions;
  /** How often due deliveries are looked for without a notification (EVENT_POLL_INTERVAL_MS). */
  readonly pollIntervalMs: number;
  /** How long a delivered row stays in the log before the sweep may delete it. */
  readonly retentionMs: number;
  /** Deliveries claimed per round (default 50). */
  readonly batchSize?: number;
  /** Pushes in flight at once (default 8). */
  readonly concurrency?: number;
  /** PostgreSQL: LISTEN here to be woken by appends (unset: poll only). */
  readonly databaseUrl?: string;
  /** The process's shared listening connection; without it the worker opens its own (PostgreSQL). */
  readonly connection?: DatabaseListener;
  readonly now?: () => Date;
  /** Jitter source in [0, 1) (default Math.random). */
  readonly random?: () => number;
  /** Names this worker in leases (default host:pid:random). */
  readonly id?: string;
  readonly onOutcome?: (outcome: DeliveryOutcome) => void;
  readonly onError?: (error: unknown) => void;
  /** PostgreSQL: the LISTEN connection took effect (`true`) or was lost (`false`: polling only until back). */
  readonly onListening?: (listening: boolean, error?: Error) => void;
}

interface Claimed {
  readonly delivery: DeliveryRow;
  readonly url: string;
  readonly audience: string;
  readonly event: StoredEvent;
}

export class DeliveryWorker {
  readonly id: string;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  /** Longer than any attempt can take (its deadline), with room for recording it. */
  private readonly leaseMs: number;
  private listener: ChannelListener | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private running: Promise<void> | undefined;
  private again = false;
  private started = false;
  private closed = false;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.batchSize = options.batchSize ?? 50;
    this.concurrency = options.concurrency ?? 8;
    this.leaseMs = options.push.timeoutMs * 2 + 30_000;
  }

  /** Starts polling (and listening on PostgreSQL); `close` stops it. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    const { databaseUrl } = this.options;
    if (databaseUrl !== undefined && isPostgres(this.options.dataSource)) {
      const subscription = {
        channel: EVENTS_CHANNEL,
        onNotification: () => this.wake(),
        onState: (listening: boolean, error?: Error) => {
          this.options.onListening?.(listening, error);
          // Appends committed while nobody listened were never announced: look now.
          if (listening) this.wake();
        },
      };
      this.listener =
        this.options.connection?.subscribe(subscription) ?? listenOnChannel({ databaseUrl, ...subscription });
    }
    this.schedule(0);
  }

  /** Runs a round as soon as possible (an append in this process, a notification). */
  wake(): void {
    if (this.started && !this.closed) this.schedule(0);
  }

  /** Stops; waits for the round in progress (its pushes end by their deadline). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
    await this.listener?.close();
  }

  /** Claims one batch of due deliveries and attempts each; answers how many were claimed. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    const queue = [...claimed];
    const lanes = Array.from({ length: Math.min(this.concurrency, queue.length) }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) await this.attempt(item);
    });
    await Promise.all(lanes);
    return claimed.length;
  }

  /** Runs rounds until nothing is due (tests, the CLI). Answers how many attempts were made. */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n;
    return total;
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    const at = Date.now() + delayMs;
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.loop();
    }, delayMs);
    this.timer.unref();
  }

  private loop(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      try {
        while (!this.closed && (await this.runOnce()) >= this.batchSize) {}
      } catch (error) {
        this.options.onError?.(error);
      }
    })().finally(() => {
      this.running = undefined;
      const again = this.again;
      this.again = false;
      this.schedule(again ? 0 : this.options.pollIntervalMs);
    });
  }

  private async claim(): Promise<Claimed[]> {
    const now = this.now();
    const at = now.toISOString();
    const leaseUntil = new Date(now.getTime() + this.leaseMs).toISOString();
    const { dataSource } = this.options;
    return inTransaction(dataSource, undefined, async (manager) => {
      const due = manager
        .getRepository(DeliveryEntity)
        .createQueryBuilder('d')
        .select(['d.id'])
        .where('d.state = :pending', { pending: 'pending' })
        .andWhere('d.nextAttemptAt <= :at', { at })
        .andWhere('(d.leaseUntil IS NULL OR d.leaseUntil <= :at)')
        .orderBy('d.nextAttemptAt', 'ASC')
        .addOrderBy('d.eventSequence', 'ASC')
        .limit(this.batchSize);
      // Two workers never pick the same row: the second skips what the first has locked.
      if (isPostgres(dataSource)) due.setLock('pessimistic_write').setOnLocked('skip_locked');
      const ids = (await due.getMany()).map((row) => row.id);
      if (ids.length === 0) return [];
      await manager
        .createQueryBuilder()
        .update(DeliveryEntity)
        .set({ leaseOwner: this.id, leaseUntil })
        .whereInIds(ids)
        .execute();
      return this.details(manager, ids);
    });
  }

  private async details(manager: EntityManager, ids: string[]): Promise<Claimed[]> {
    const deliveries = await manager
      .getRepository(DeliveryEntity)
      .createQueryBuilder('d')
      .where('d.id IN (:...ids)', { ids })
      .getMany();
    const subscriptions = new Map(
      (
        await manager
          .getRepository(SubscriptionEntity)
          .createQueryBuilder('s')
          .where('s.id IN (:...ids)', { ids: [...new Set(deliveries.map((d) => d.subscriptionId))] })
          .getMany()
      ).map((row) => [row.id, row]),
    );
    const events = new Map(
      (
        await manager
          .getRepository(EventEntity)
          .createQueryBuilder('e')
          .where('e.sequence IN (:...sequences)', {
            sequences: [...new Set(deliveries.map((d) => Number(d.eventSequence)))],
          })
          .getMany()
      ).map((row) => [Number(row.sequence), row]),
    );
    const claimed: Claimed[] = [];
    for (const delivery of deliveries) {
      const subscription = subscriptions.get(delivery.subscriptionId);
      const event = events.get(Number(delivery.eventSequence));
      if (!subscription || !event) continue;
      claimed.push({
        delivery,
        url: subscription.url,
        audience: subscription.memberDid,
        event: {
          sequence: Number(event.sequence),
          id: event.id,
          type: event.type as EventType,
          subject: event.subject,
          occurredAt: event.occurredAt,
          data: JSON.parse(event.data) as Record<string, unknown>,
        },
      });
    }
    return claimed;
  }

  private async attempt(item: Claimed): Promise<void> {
    const attemptAt = this.now();
    let outcome: PushOutcome;
    try {
      const set = await this.options.sets.sign(item.event, item.audience, attemptAt);
      outcome = await pushSet(item.url, set, this.options.push);
    } catch (error) {
      // Signing failed (keys unreadable): an attempt that did not reach the receiver.
      outcome = {
        ok: false,
        httpStatus: null,
        error: `signing_failed: ${(error as Error).message}`.slice(0, 300),
        durationMs: 0,
      };
    }
    try {
      const recorded = await this.record(item, outcome, attemptAt);
      if (recorded) this.options.onOutcome?.(recorded);
    } catch (error) {
      // Not recorded: the lease runs out and the delivery is attempted again (at least once).
      this.options.onError?.(error);
    }
  }

  private async record(
    item: Claimed,
    outcome: PushOutcome,
    attemptAt: Date,
  ): Promise<DeliveryOutcome | undefined> {
    const { delivery } = item;
    const number = delivery.attempts + 1;
    const at = attemptAt.toISOString();
    const settledAt = this.now();
    let result: DeliveryOutcome;
    let fields: Partial<DeliveryRow>;
    if (outcome.ok) {
      result = 'delivered';
      fields = {
        state: 'delivered',
        nextAttemptAt: null,
        settledAt: settledAt.toISOString(),
        expiresAt: new Date(settledAt.getTime() + this.options.retentionMs).toISOString(),
      };
    } else {
      const next = nextAttempt(
        this.options.policy,
        new Date(delivery.createdAt),
        attemptAt,
        number,
        this.random(),
      );
      result = next ? 'retry' : 'failed';
      fields = next
        ? { state: 'pending', nextAttemptAt: next.toISOString() }
        : { state: 'failed', nextAttemptAt: null, settledAt: settledAt.toISOString() };
    }
    return inTransaction(this.options.dataSource, undefined, async (manager) => {
      const updated = await manager
        .createQueryBuilder()
        .update(DeliveryEntity)
        .set({ ...fields, attempts: number, leaseOwner: null, leaseUntil: null })
        .where('id = :id AND lease_owner = :owner AND state = :pending', {
          id: delivery.id,
          owner: this.id,
          pending: 'pending',
        })
        .execute();
      // The lease ran out and another worker holds the row (or it was deleted): its attempt counts.
      if (!updated.affected) return undefined;
      await manager.getRepository(DeliveryAttemptEntity).insert({
        deliveryId: delivery.id,
        number,
        at,
        httpStatus: outcome.httpStatus,
        error: outcome.ok ? null : outcome.error,
        durationMs: outcome.durationMs,
        nextAttemptAt: fields.nextAttemptAt ?? null,
        expiresAt: null,
      });
      if (fields.expiresAt) {
        await manager
          .getRepository(DeliveryAttemptEntity)
          .update({ deliveryId: delivery.id }, { expiresAt: fields.expiresAt });
      }
      return result;
    });
  }
}
