/**
 * When a failed delivery is tried again, and when it gives up.
 *
 * Exponential backoff with jitter: the n-th retry waits `min(max, min · 2^(n-1))`, of which the
 * upper half is random ("equal jitter"), so receivers that come back after an outage are not
 * hit by every replica's retries in the same second, and the wait never falls below half the
 * step. With the defaults (5 s doubling, capped at 10 min) a delivery is retried about 150
 * times over its retry window; the first attempt at or after the window's end that fails
 * marks it `failed`, so an endpoint is tried for at least the whole window.
 */
export interface BackoffPolicy {
  /** The first retry's step, in ms (EVENT_DELIVERY_BACKOFF_MIN_SECONDS). */
  readonly minMs: number;
  /** The largest step, in ms (EVENT_DELIVERY_BACKOFF_MAX_SECONDS). */
  readonly maxMs: number;
  /** How long after its event a delivery is still retried, in ms (EVENT_DELIVERY_RETRY_HOURS). */
  readonly retryForMs: number;
}

/** The wait before retry number `failures` (1 after the first failed attempt); `random` in [0, 1). */
export function backoffDelayMs(policy: BackoffPolicy, failures: number, random: number): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const step = Math.min(policy.maxMs, policy.minMs * 2 ** exponent);
  return Math.round(step / 2 + (step / 2) * random);
}

/**
 * After a failed attempt at `attemptAt` (the `failures`-th) of a delivery created at
 * `createdAt`: the next attempt's time, or undefined when the delivery has failed for good.
 */
export function nextAttempt(
  policy: BackoffPolicy,
  createdAt: Date,
  attemptAt: Date,
  failures: number,
  random: number,
): Date | undefined {
  if (attemptAt.getTime() >= createdAt.getTime() + policy.retryForMs) return undefined;
  return new Date(attemptAt.getTime() + backoffDelayMs(policy, failures, random));
}
