/**
 * What this process knows about its database right now, so that requests can fail fast.
 *
 * Without it, every request during an outage waits for its own statement or pool timeout
 * (seconds each) before answering 503, while readiness already knew the database was gone.
 * The state is decided only by a probe (a bounded `SELECT 1`), never by one failed statement:
 * a single slow query or an SQLite write lock must not turn the whole API away. A failure
 * reported by a request starts a probe; once a probe fails the database counts as down and
 * is probed again every `probeIntervalMs` until it answers, then counts as up at once.
 */
import { outsideDatabaseDeadline } from './deadline.js';
export interface DatabaseHealthOptions {
  /** A bounded check that the database answers (true) or not (false); never throws. */
  readonly probe: () => Promise<boolean>;
  /** How often a database known to be down is probed again. Default 1,000 ms. */
  readonly probeIntervalMs?: number;
  /** Told each change between up and down. */
  readonly onChange?: (down: boolean) => void;
}

export class DatabaseHealth {
  private down = false;
  private probing: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly intervalMs: number;

  constructor(private readonly options: DatabaseHealthOptions) {
    this.intervalMs = options.probeIntervalMs ?? 1_000;
  }

  /** True while the last probe failed: requests that need the database may answer 503 now. */
  isDown(): boolean {
    return this.down;
  }

  /** A request met an unavailable database: probe it (once, however many requests report). */
  reportUnavailable(): void {
    void this.check();
  }

  /** Probes the database now (sharing a probe already under way) and records the answer. */
  check(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (!this.probing) {
      // The probe (and the re-probes it schedules) answers for every request: never cut short
      // by the database deadline of the request that reported.
      this.probing = outsideDatabaseDeadline(() => this.options.probe())
        .catch(() => false)
        .then((answers) => {
          this.record(answers);
          return answers;
        })
        .finally(() => {
          this.probing = undefined;
        });
    }
    return this.probing;
  }

  /** Stops probing (the service closes). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private record(answers: boolean): void {
    const wasDown = this.down;
    this.down = !answers;
    if (wasDown !== this.down) this.options.onChange?.(this.down);
    if (this.down && !this.timer && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.check();
      }, this.intervalMs);
      this.timer.unref();
    }
  }
}

/**
 * A probe that runs `SELECT 1` with a time bound, one at a time: while an earlier probe's
 * statement is still stuck on a stalled connection, the database is down without asking
 * again, so probes never pile up on the pool during a stall.
 */
export function boundedProbe(query: () => Promise<unknown>, timeoutMs: number): () => Promise<boolean> {
  let stuck: Promise<unknown> | undefined;
  return async () => {
    if (stuck) return false;
    const statement = query();
    stuck = statement;
    const settle = () => {
      if (stuck === statement) stuck = undefined;
    };
    statement.then(settle, settle);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        statement,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('database probe timed out')), timeoutMs);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
}
