import { strict as assert } from 'node:assert';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('configuration of events (EVENT_*)', () => {
  it('defaults: 1 s poll, 10 s deadline, 24 h of retries from 5 s to 10 min, 7 days of delivered log, 10 subscriptions', () => {
    assert.deepEqual(loadConfig({}).events, {
      pollIntervalMs: 1000,
      deliveryTimeoutMs: 10_000,
      retryHours: 24,
      backoffMinSeconds: 5,
      backoffMaxSeconds: 600,
      retentionHours: 168,
      subscriptionsPerMember: 10,
    });
  });

  it('reads each key', () => {
    const events = loadConfig({
      EVENT_POLL_INTERVAL_MS: '250',
      EVENT_DELIVERY_TIMEOUT_MS: '3000',
      EVENT_DELIVERY_RETRY_HOURS: '48',
      EVENT_DELIVERY_BACKOFF_MIN_SECONDS: '2',
      EVENT_DELIVERY_BACKOFF_MAX_SECONDS: '120',
      EVENT_DELIVERY_RETENTION_HOURS: '24',
      EVENT_SUBSCRIPTIONS_PER_MEMBER: '3',
    }).events;
    assert.deepEqual(events, {
      pollIntervalMs: 250,
      deliveryTimeoutMs: 3000,
      retryHours: 48,
      backoffMinSeconds: 2,
      backoffMaxSeconds: 120,
      retentionHours: 24,
      subscriptionsPerMember: 3,
    });
  });

  it('refuses out-of-range values and a backoff maximum below its minimum, naming the key', () => {
    const refused: [Record<string, string>, string][] = [
      [{ EVENT_POLL_INTERVAL_MS: '10' }, 'EVENT_POLL_INTERVAL_MS'],
      [{ EVENT_DELIVERY_RETRY_HOURS: '0' }, 'EVENT_DELIVERY_RETRY_HOURS'],
      [{ EVENT_SUBSCRIPTIONS_PER_MEMBER: 'many' }, 'EVENT_SUBSCRIPTIONS_PER_MEMBER'],
      [
        { EVENT_DELIVERY_BACKOFF_MIN_SECONDS: '60', EVENT_DELIVERY_BACKOFF_MAX_SECONDS: '30' },
        'EVENT_DELIVERY_BACKOFF_MAX_SECONDS',
      ],
    ];
    for (const [env, key] of refused)
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && error.variable === key,
      );
  });
});
