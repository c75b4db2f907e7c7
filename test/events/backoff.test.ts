import { strict as assert } from 'node:assert';
import { backoffDelayMs, nextAttempt } from '../../src/events/index.js';

const policy = { minMs: 5_000, maxMs: 600_000, retryForMs: 86_400_000 };

describe('delivery backoff: exponential, equal jitter, capped, with a retry window', () => {
  it('waits between half and all of 5 s, 10 s, 20 s … and never more than 10 min', () => {
    const steps = [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000];
    steps.forEach((step, i) => {
      assert.equal(backoffDelayMs(policy, i + 1, 0), step / 2, `failure ${i + 1}, least`);
      assert.equal(backoffDelayMs(policy, i + 1, 0.999_999), Math.round(step / 2 + (step / 2) * 0.999_999));
    });
    assert.equal(backoffDelayMs(policy, 10_000, 0.5), 450_000, 'no overflow after many failures');
  });

  it('schedules the next attempt inside the window and none from the window’s end on', () => {
    const created = new Date('2030-01-01T00:00:00Z');
    const early = new Date('2030-01-01T23:59:59Z');
    assert.equal(nextAttempt(policy, created, early, 150, 0)?.toISOString(), '2030-01-02T00:04:59.000Z');
    assert.equal(nextAttempt(policy, created, new Date('2030-01-02T00:00:00Z'), 151, 0), undefined);
  });
});
