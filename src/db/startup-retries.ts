import type { DataSource } from 'typeorm';
import { isDatabaseUnavailable } from './errors.js';

export interface StartupRetryOptions {
  /** How long to keep trying before the start fails (0: one attempt only). */
  readonly waitMs: number;
  /** Called before each new attempt, for the log. */
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  /** First delay between attempts (default 250 ms); it doubles up to `maxDelayMs`. */
  readonly initialDelayMs?: number;
  /** Largest delay between attempts (default 5 000 ms). */
  readonly maxDelayMs?: number;
}

/**
 * Connects the data source, retrying with a bounded exponential backoff while the database is
 * not up yet (a replica or a container that starts before its database). Only "unavailable"
 * errors are retried: a wrong password or a missing database fails at once.
 */
export async function initializeWithRetries(
  dataSource: DataSource,
  options: StartupRetryOptions,
): Promise<void> {
  const deadline = Date.now() + options.waitMs;
  let delay = options.initialDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await dataSource.initialize();
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + delay > deadline) throw error;
      options.onRetry?.(attempt, delay, error);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5_000);
    }
  }
}
