/**
 * A dedicated PostgreSQL connection that LISTENs on one channel, and reconnects with backoff
 * when the connection is lost. While it is down, callers must not rely on notifications: the
 * `listening` flag and the `onState` callback say when, and every (re)connection starts a new
 * `epoch`, because changes committed while nobody listened were never announced.
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
}

export interface ChannelListener {
  /** True while LISTEN is in effect on a live connection. */
  readonly listening: boolean;
  /** Increases on every successful (re)connection. */
  readonly epoch: number;
  /** The server process id of the listening connection (for operators and tests), when connected. */
  readonly backendPid: number | undefined;
  /** Resolves when the first LISTEN took effect (or rejects if the listener was closed first). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export function listenOnChannel(options: ChannelListenerOptions): ChannelListener {
  if (!CHANNEL.test(options.channel)) throw new RangeError(`not a channel name: ${options.channel}`);
  const minBackoff = options.minBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
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
    current.removeAllListeners('notification');
    current.end().catch(() => {});
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
    options.onState?.(true);
    resolveReady();
  };

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
    ready,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const current = client;
      client = undefined;
      listening = false;
      rejectReady(new Error('the listener was closed'));
      if (current) {
        current.removeAllListeners();
        current.on('error', () => {});
        await current.end().catch(() => {});
      }
    },
  };
}
