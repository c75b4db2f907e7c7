/**
 * The configuration of the event outbox, webhook delivery and feed (src/events, docs/events.md).
 */
import { ConfigError } from './errors.js';
import type { ConfigKey } from './keys.js';
import { integer } from './parse.js';

export const EVENT_POLL_INTERVAL_MS: ConfigKey<number> = {
  name: 'EVENT_POLL_INTERVAL_MS',
  defaultText: '1000',
  description:
    'How often each delivery worker looks for due webhook deliveries. On PostgreSQL a new event wakes the workers at once (LISTEN/NOTIFY) and this poll is the fallback and the clock of retries; on SQLite it is how soon a new event goes out.',
  parse: (raw) => integer('EVENT_POLL_INTERVAL_MS', raw, 1000, 100, 60_000),
};

export const EVENT_DELIVERY_TIMEOUT_MS: ConfigKey<number> = {
  name: 'EVENT_DELIVERY_TIMEOUT_MS',
  defaultText: '10000',
  description:
    'Deadline of one webhook attempt: DNS, connect, TLS and the answer. Longer counts as a failed attempt (`timeout`).',
  parse: (raw) => integer('EVENT_DELIVERY_TIMEOUT_MS', raw, 10_000, 500, 120_000),
};

export const EVENT_DELIVERY_RETRY_HOURS: ConfigKey<number> = {
  name: 'EVENT_DELIVERY_RETRY_HOURS',
  defaultText: '24',
  description:
    'How long after an event a failing webhook delivery is still retried; the first attempt after this that fails marks it `failed` (kept in the delivery log; the event stays in the feed).',
  parse: (raw) => integer('EVENT_DELIVERY_RETRY_HOURS', raw, 24, 1, 720),
};

export const EVENT_DELIVERY_BACKOFF_MIN_SECONDS: ConfigKey<number> = {
  name: 'EVENT_DELIVERY_BACKOFF_MIN_SECONDS',
  defaultText: '5',
  description:
    'Wait before the first retry of a failed webhook delivery; it doubles with each failure (with jitter: half of it random) up to EVENT_DELIVERY_BACKOFF_MAX_SECONDS.',
  parse: (raw) => integer('EVENT_DELIVERY_BACKOFF_MIN_SECONDS', raw, 5, 1, 3600),
};

export const EVENT_DELIVERY_BACKOFF_MAX_SECONDS: ConfigKey<number> = {
  name: 'EVENT_DELIVERY_BACKOFF_MAX_SECONDS',
  defaultText: '600',
  description: 'The longest wait between two attempts of a webhook delivery.',
  parse: (raw, partial) => {
    const value = integer('EVENT_DELIVERY_BACKOFF_MAX_SECONDS', raw, 600, 1, 86_400);
    const min = partial.eventDeliveryBackoffMinSeconds as number | undefined;
    if (min !== undefined && value < min)
      throw new ConfigError(
        'EVENT_DELIVERY_BACKOFF_MAX_SECONDS',
        `must be at least EVENT_DELIVERY_BACKOFF_MIN_SECONDS (${min})`,
      );
    return value;
  },
};

export const EVENT_DELIVERY_RETENTION_HOURS: ConfigKey<number> = {
  name: 'EVENT_DELIVERY_RETENTION_HOURS',
  defaultText: '168',
  description:
    'How long a delivered webhook delivery stays in the delivery log before the sweep deletes it (with its attempts). Pending and failed deliveries are never swept.',
  parse: (raw) => integer('EVENT_DELIVERY_RETENTION_HOURS', raw, 168, 1, 87_600),
};

export const EVENT_SUBSCRIPTIONS_PER_MEMBER: ConfigKey<number> = {
  name: 'EVENT_SUBSCRIPTIONS_PER_MEMBER',
  defaultText: '10',
  description:
    'Webhook subscriptions one member may hold at once; one more is refused (409 `too_many_subscriptions`).',
  parse: (raw) => integer('EVENT_SUBSCRIPTIONS_PER_MEMBER', raw, 10, 1, 1000),
};

/** In dependency order (the backoff maximum reads the minimum). */
export const EVENT_CONFIG_KEYS = [
  EVENT_POLL_INTERVAL_MS,
  EVENT_DELIVERY_TIMEOUT_MS,
  EVENT_DELIVERY_RETRY_HOURS,
  EVENT_DELIVERY_BACKOFF_MIN_SECONDS,
  EVENT_DELIVERY_BACKOFF_MAX_SECONDS,
  EVENT_DELIVERY_RETENTION_HOURS,
  EVENT_SUBSCRIPTIONS_PER_MEMBER,
] as const;
