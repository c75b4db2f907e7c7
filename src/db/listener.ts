/**
 * A dedicated PostgreSQL connection that LISTENs on one channel, and reconnects with backoff
 * when the connection is lost. While it is down, callers must not rely on notifications: the
 * `listening` flag and the `onState` callback say when, and every (re)connection starts a new
 * `epoch`, because changes committed while nobody listened were never announced.
 *
 * A connection can also stall without being lost (TCP stays up, packets stop): nothing fails
 * and no notification arrives, which looks just like "nothing changed". So the listener proves
 * the connection alive every `probeIntervalMs` with a `SELECT 1` on it and records when the
 * last proven probe was SENT (`lastConfirmedAt`): PostgreSQL delivers the notifications of
 * every commit before that moment ahead of the probe's reply. A probe that fails or takes
 * longer than `probeTimeoutMs` destroys the connection, which then reconnects with backoff.
 */
import pg from 'pg';

export interface ChannelListenerOptions {
  readonly databaseUrl: string;
  /** A PostgreSQL identifier: letters, digits and underscores. */
  readonly channel: string;
  readonly onNotification: (payload: string) => void;
  /** Called after LISTEN took effect (`true`) and when the connection is lost (`false`). */
  readonly onState?: (listening: boolean, error?: Error) => void;
  /** First reconnection delay; it doubles up to `maxBackoffMs`, with jitter. Default 100 ms. */
  readonly minBackoffMs?: number;
  /** Default 5,000 ms. */
  readonly maxBackoffMs?: number;
  /** How long a connection attempt may take. Default 5,000 ms. */
  readonly connectTimeoutMs?: number;
  /** How often the connection is proven alive. Default 1,000 ms. */
  readonly probeIntervalMs?: number;
  /** How long a probe may take before the connection counts as stalled. Default 2,000 ms. */
  readonly probeTimeoutMs?: number;
  /** The clock of `lastConfirmedAt` (ms since the epoch). Default `Date.now`. */
  readonly now?: () => number;
}

export interface ChannelListener {
  /** True while LISTEN is in effect on a live connection. */
  readonly listening: boolean;
  /** Increases on every successful (re)connection. */
  readonly epoch: number;
  /** The server process id of the listening connection (for operators and tests), when connected. */
  readonly backendPid: number | undefined;
  /**
   * When the listening connection was last proven alive (by `now()`): every notification of a
   * commit before it has arrived. Undefined while not listening.
   */
  readonly lastConfirmedAt: number | undefined;
  /** Resolves when the first LISTEN took effect (or rejects if the listener was closed first). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export function listenOnChannel(options: ChannelListenerOptions): ChannelListener {
  if (!CHANNEL.test(options.channel)) throw new RangeError(`not a channel name: ${options.channel}`);
  const minBackoff = options.minBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  const probeInterval = options.probeIntervalMs ?? 1_000;
  const probeTimeout = options.probeTimeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  let lastConfirmedAt: number | undefined;
  let probing = false;
  let client: pg.Client | undefined;
  let listening = false;
  let epoch = 0;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let resolveReady: () => void = () => {};
  let rejectReady: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {}); // nobody has to wait for it

  const lost = (current: pg.Client, error?: Error) => {
    if (client !== current) return; // already handled
    client = undefined;
    const was = listening;
    listening = false;
    lastConfirmedAt = undefined;
    current.removeAllListeners('notification');
    current.end().catch(() => {});
    // A stalled socket would never finish `end()`: drop it so that nothing waits on it.
    (current as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    if (was) options.onState?.(false, error);
    schedule();
  };

  const schedule = () => {
    if (closed || retry) return;
    const delay = Math.min(maxBackoff, minBackoff * 2 ** Math.min(failures, 16)) * (0.5 + Math.random() / 2);
    failures++;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, delay);
    retry.unref();
  };

  const connect = async () => {
    if (closed) return;
    const startedAt = now();
    const current = new pg.Client({
      connectionString: options.databaseUrl,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      keepAlive: true,
      application_name: 'dataspace-trust-listen',
    });
    client = current;
    current.on('error', (error) => lost(current, error));
    current.on('end', () => lost(current));
    current.on('notification', (message) => {
      if (message.channel === options.channel) options.onNotification(message.payload ?? '');
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${options.channel}`);
    } catch (error) {
      lost(current, error as Error);
      return;
    }
    if (closed || client !== current) {
      await current.end().catch(() => {});
      return;
    }
    failures = 0;
    epoch++;
    listening = true;
    lastConfirmedAt = startedAt; // LISTEN took effect after this moment
    options.onState?.(true);
    resolveReady();
  };

  const probe = async () => {
    const current = client;
    if (closed || probing || !listening || !current) return;
    probing = true;
    const sentAt = now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        current.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer to the liveness probe in ${probeTimeout} ms`)),
            probeTimeout,
          );
        }),
      ]);
      if (client === current && listening) lastConfirmedAt = sentAt;
    } catch (error) {
      lost(current, error as Error);
    } finally {
      clearTimeout(timer);
      probing = false;
    }
  };
  const probes = setInterval(() => void probe(), probeInterval);
  probes.unref();

  void connect();

  return {
    get listening() {
      return listening;
    },
    get epoch() {
      return epoch;
    },
    get backendPid() {
      return listening ? (client as unknown as { processID?: number } | undefined)?.processID : undefined;
    },
    get lastConfirmedAt() {
      return lastConfirmedAt;
    },
    ready,
    async close() {
      closed = true;
      clearInterval(probes);
      if (retry) clearTimeout(retry);
      const current = client;
      client = undefined;
      listening = false;
      lastConfirmedAt = undefined;
      rejectReady(new Error('the listener was closed'));
      if (current) {
        current.removeAllListeners();
        current.on('error', () => {});
        await current.end().catch(() => {});
      }
    },
  };
}
