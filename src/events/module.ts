/**
 * The events capability, assembled: the outbox other capabilities append to, members'
 * subscriptions, the delivery worker and the feed, with their routes. The composition root
 * calls `openEvents`, passes `outbox` to the capabilities that emit events, starts the worker
 * in serving processes (`startWorker`) and mounts `routes(authenticate)`.
 */

import type { LookupFunction } from 'node:net';
import type Router from '@koa/router';
import type { DataSource } from 'typeorm';
import type { EventSettings } from '../config/index.js';
import type { JwtSigner } from '../credentials/sign.js';
import type { DatabaseListener } from '../db/listener.js';
import type { SweepTarget } from '../db/sweep.js';
import { reading } from '../db/transactions.js';
import type { RequireConnector } from '../http/index.js';
import type { Metrics } from '../metrics/index.js';
import { feedCursors } from './cursor.js';
import { DeliveryEntity } from './entities.js';
import { EventFeed } from './feed.js';
import { EventOutbox } from './outbox.js';
import { eventRoutes } from './routes.js';
import { setSigner } from './set.js';
import { Subscriptions } from './subscriptions.js';
import { DeliveryWorker } from './worker.js';

/** Delivered deliveries (and their attempts) past their retention; pending and failed ones have no expiry. */
export const EVENT_SWEEP_TARGETS: readonly SweepTarget[] = [
  { table: 'event_delivery_attempt', column: 'expires_at', format: 'iso' },
  { table: 'event_delivery', column: 'expires_at', format: 'iso' },
];

export interface EventsOptions {
  readonly dataSource: DataSource;
  /** The service DID's signer: SETs are ES256 with the DID URL as `kid`. */
  readonly signer: JwtSigner;
  /** The key-encryption secret (hex): the feed's cursors are sealed under a key derived from it. */
  readonly secretHex: string;
  readonly settings: EventSettings;
  /** PUBLIC_URL is on loopback: http and loopback webhooks are allowed. */
  readonly developmentMode: boolean;
  /** PostgreSQL: the worker LISTENs here to be woken by appends. */
  readonly databaseUrl?: string;
  /** The process's shared listening connection (PostgreSQL). */
  readonly connection?: DatabaseListener;
  readonly metrics?: Metrics;
  /** Where the worker reports failures of its rounds. */
  readonly onError?: (error: unknown) => void;
  /** Where the worker reports its LISTEN connection (PostgreSQL) taking effect or being lost. */
  readonly onListening?: (listening: boolean, error?: Error) => void;
  readonly now?: () => Date;
  /** Jitter source of the backoff (tests). */
  readonly random?: () => number;
  /** For tests: how webhook host names are resolved, and CAs to trust for https. */
  readonly transport?: { readonly lookup?: LookupFunction; readonly ca?: string | Buffer };
}

export interface Events {
  readonly outbox: EventOutbox;
  readonly subscriptions: Subscriptions;
  readonly feed: EventFeed;
  /** The delivery worker of this process (started by `startWorker`). */
  readonly worker: DeliveryWorker;
  /** The member routes, behind the composition root's connector-token middleware. */
  routes(authenticate: RequireConnector): Router;
  /** Starts delivering (serving processes: `start`); idempotent. */
  startWorker(): void;
  /** Stops the worker (waiting for its attempts in flight) and its listener. */
  close(): Promise<void>;
}

export function openEvents(options: EventsOptions): Events {
  const { dataSource, settings } = options;
  const now = options.now ?? (() => new Date());
  const sets = setSigner(options.signer);
  const outbox = new EventOutbox({ now });
  const subscriptions = new Subscriptions({
    dataSource,
    developmentMode: options.developmentMode,
    maxPerMember: settings.subscriptionsPerMember,
    now,
  });
  const cursors = feedCursors(options.secretHex);
  const feed = new EventFeed({ dataSource, sets, cursors, now });
  const metrics = options.metrics;
  const worker = new DeliveryWorker({
    dataSource,
    sets,
    policy: {
      minMs: settings.backoffMinSeconds * 1000,
      maxMs: settings.backoffMaxSeconds * 1000,
      retryForMs: settings.retryHours * 3_600_000,
    },
    push: {
      developmentMode: options.developmentMode,
      timeoutMs: settings.deliveryTimeoutMs,
      ...(options.transport?.lookup ? { lookup: options.transport.lookup } : {}),
      ...(options.transport?.ca ? { ca: options.transport.ca } : {}),
    },
    pollIntervalMs: settings.pollIntervalMs,
    retentionMs: settings.retentionHours * 3_600_000,
    now,
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    ...(options.connection ? { connection: options.connection } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(metrics ? { onOutcome: (outcome) => metrics.eventDeliveries.inc({ outcome }) } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.onListening ? { onListening: options.onListening } : {}),
  });
  metrics?.observeEventBacklog(() => backlog(dataSource, now()));
  return {
    outbox,
    subscriptions,
    feed,
    worker,
    routes: (authenticate) => eventRoutes({ subscriptions, feed, authenticate }),
    startWorker: () => worker.start(),
    close: () => worker.close(),
  };
}

async function backlog(dataSource: DataSource, now: Date): Promise<{ pending: number; due: number }> {
  return reading(dataSource, undefined, async (manager) => {
    const repository = manager.getRepository(DeliveryEntity);
    const pending = await repository
      .createQueryBuilder('d')
      .where('d.state = :s', { s: 'pending' })
      .getCount();
    const due = await repository
      .createQueryBuilder('d')
      .where('d.state = :s AND d.nextAttemptAt <= :now', { s: 'pending', now: now.toISOString() })
      .getCount();
    return { pending, due };
  });
}
