/**
 * One dedicated PostgreSQL connection per process that LISTENs on every channel the process
 * needs (status changes, member changes, new events), and reconnects with backoff when the
 * connection is lost. While it is down, callers must not rely on notifications: each channel's
 * `listening` flag and `onState` callback say when, and every (re)connection starts a new
 * `epoch`, because changes committed while nobody listened were never announced.
 *
 * A connection can also stall without being lost (TCP stays up, packets stop): nothing fails
 * and no notification arrives, which looks just like "nothing changed". So the listener proves
 * the connection alive every `probeIntervalMs` with a `SELECT 1` on it and records when the
 * last proven probe was SENT (`lastConfirmedAt`): PostgreSQL delivers the notifications of
 * every commit before that moment ahead of the probe's reply. A probe that fails or takes
 * longer than `probeTimeoutMs` destroys the connection, which then reconnects with backoff.
 *
 * `openDatabaseListener` is the shared connection (the composition root opens one per process
 * and hands it to each capability); `listenOnChannel` is one channel on a connection of its own
 * (tools and tests).
 */
import pg from 'pg';

export interface DatabaseListenerOptions {
  readonly databaseUrl: string;
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

export interface ChannelSubscription {
  /** A PostgreSQL identifier: letters, digits and underscores. */
  readonly channel: string;
  readonly onNotification: (payload: string) => void;
  /** Called after LISTEN on the channel took effect (`true`) and when the connection is lost (`false`). */
  readonly onState?: (listening: boolean, error?: Error) => void;
}

export interface ChannelListenerOptions extends DatabaseListenerOptions, ChannelSubscription {}

/** One channel's view of the listening connection. */
export interface ChannelListener {
  /** True while LISTEN on this channel is in effect on a live connection. */
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
  /** Resolves when LISTEN on this channel first took effect (or rejects if closed first). */
  readonly ready: Promise<void>;
  /** Stops listening on this channel (the shared connection stays for the other channels). */
  close(): Promise<void>;
}

/** The process's listening connection: one connection, any number of channels. */
export interface DatabaseListener {
  /** Listens on a channel over this connection (LISTEN now if connected, else at the next connection). */
  subscribe(subscription: ChannelSubscription): ChannelListener;
  /** The server process id of the connection, while connected. */
  readonly backendPid: number | undefined;
  /** Closes the connection; every channel stops listening. */
  close(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

interface Subscriber {
  readonly subscription: ChannelSubscription;
  resolveReady(): void;
  rejectReady(error: Error): void;
}

export function openDatabaseListener(options: DatabaseListenerOptions): DatabaseListener {
  const minBackoff = options.minBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  const probeInterval = options.probeIntervalMs ?? 1_000;
  const probeTimeout = options.probeTimeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  /** Every subscriber, by channel. */
  const channels = new Map<string, Set<Subscriber>>();
  /** The channels LISTEN is in effect for on the current connection. */
  const active = new Set<string>();
  let lastConfirmedAt: number | undefined;
  let probing = false;
  let client: pg.Client | undefined;
  let connected = false;
  let epoch = 0;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;

  const announce = (channel: string, listening: boolean, error?: Error) => {
    for (const subscriber of channels.get(channel) ?? []) {
      if (listening) subscriber.resolveReady();
      subscriber.subscription.onState?.(listening, error);
    }
  };

  const lost = (current: pg.Client, error?: Error) => {
    if (client !== current) return; // already handled
    client = undefined;
    connected = false;
    lastConfirmedAt = undefined;
    const was = [...active];
    active.clear();
    current.removeAllListeners('notification');
    current.end().catch(() => {});
    // A stalled socket would never finish `end()`: drop it so that nothing waits on it.
    (current as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    for (const channel of was) announce(channel, false, error);
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

  /** LISTEN on `channel` over the live connection `current`; answers whether it took effect. */
  const listen = async (current: pg.Client, channel: string): Promise<boolean> => {
    try {
      await current.query(`LISTEN ${channel}`);
    } catch (error) {
      lost(current, error as Error);
      return false;
    }
    if (closed || client !== current || !channels.has(channel) || active.has(channel)) return false;
    active.add(channel);
    return true;
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
      if (!active.has(message.channel)) return;
      for (const subscriber of channels.get(message.channel) ?? []) {
        subscriber.subscription.onNotification(message.payload ?? '');
      }
    });
    try {
      await current.connect();
    } catch (error) {
      lost(current, error as Error);
      return;
    }
    if (closed || client !== current) {
      await current.end().catch(() => {});
      return;
    }
    const wanted = [...channels.keys()];
    try {
      for (const channel of wanted) await current.query(`LISTEN ${channel}`);
    } catch (error) {
      lost(current, error as Error);
      return;
    }
    if (closed || client !== current) return;
    failures = 0;
    epoch++;
    connected = true;
    lastConfirmedAt = startedAt; // LISTEN took effect after this moment
    for (const channel of wanted) if (channels.has(channel)) active.add(channel);
    for (const channel of [...active]) announce(channel, true);
    // Channels subscribed while connecting.
    for (const channel of [...channels.keys()]) {
      if (!active.has(channel) && (await listen(current, channel))) announce(channel, true);
    }
  };

  const probe = async () => {
    const current = client;
    if (closed || probing || !connected || !current) return;
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
      if (client === current && connected) lastConfirmedAt = sentAt;
    } catch (error) {
      lost(current, error as Error);
    } finally {
      clearTimeout(timer);
      probing = false;
    }
  };
  const probes = setInterval(() => void probe(), probeInterval);
  probes.unref();

  const backendPid = () =>
    connected ? (client as unknown as { processID?: number } | undefined)?.processID : undefined;

  void connect();

  return {
    get backendPid() {
      return backendPid();
    },
    subscribe(subscription) {
      const { channel } = subscription;
      if (!CHANNEL.test(channel)) throw new RangeError(`not a channel name: ${channel}`);
      let resolveReady: () => void = () => {};
      let rejectReady: (error: Error) => void = () => {};
      const ready = new Promise<void>((resolve, reject) => {
        resolveReady = resolve;
        rejectReady = reject;
      });
      ready.catch(() => {}); // nobody has to wait for it
      const subscriber: Subscriber = { subscription, resolveReady, rejectReady };
      if (closed) rejectReady(new Error('the listener was closed'));
      else {
        const set = channels.get(channel) ?? new Set<Subscriber>();
        channels.set(channel, set);
        set.add(subscriber);
        const current = client;
        if (active.has(channel)) {
          // Already listened to on this connection: this subscriber starts listening now.
          queueMicrotask(() => {
            if (!active.has(channel) || !set.has(subscriber)) return;
            subscriber.resolveReady();
            subscription.onState?.(true);
          });
        } else if (connected && current) {
          void listen(current, channel).then((took) => {
            if (took) announce(channel, true);
          });
        }
      }
      let unsubscribed = false;
      const listening = () => !unsubscribed && connected && active.has(channel);
      return {
        get listening() {
          return listening();
        },
        get epoch() {
          return epoch;
        },
        get backendPid() {
          return listening() ? backendPid() : undefined;
        },
        get lastConfirmedAt() {
          return listening() ? lastConfirmedAt : undefined;
        },
        ready,
        async close() {
          if (unsubscribed) return;
          unsubscribed = true;
          rejectReady(new Error('the listener was closed'));
          const set = channels.get(channel);
          set?.delete(subscriber);
          if (set && set.size === 0) {
            channels.delete(channel);
            const was = active.delete(channel);
            const current = client;
            if (was && connected && current) await current.query(`UNLISTEN ${channel}`).catch(() => {});
          }
        },
      };
    },
    async close() {
      closed = true;
      clearInterval(probes);
      if (retry) clearTimeout(retry);
      const current = client;
      client = undefined;
      connected = false;
      lastConfirmedAt = undefined;
      active.clear();
      for (const set of channels.values()) {
        for (const subscriber of set) subscriber.rejectReady(new Error('the listener was closed'));
      }
      channels.clear();
      if (current) {
        current.removeAllListeners();
        current.on('error', () => {});
        await current.end().catch(() => {});
      }
    },
  };
}

/** One channel on a listening connection of its own; `close` closes the connection. */
export function listenOnChannel(options: ChannelListenerOptions): ChannelListener {
  if (!CHANNEL.test(options.channel)) throw new RangeError(`not a channel name: ${options.channel}`);
  const connection = openDatabaseListener(options);
  const channel = connection.subscribe({
    channel: options.channel,
    onNotification: options.onNotification,
    ...(options.onState ? { onState: options.onState } : {}),
  });
  return {
    get listening() {
      return channel.listening;
    },
    get epoch() {
      return channel.epoch;
    },
    get backendPid() {
      return channel.backendPid;
    },
    get lastConfirmedAt() {
      return channel.lastConfirmedAt;
    },
    ready: channel.ready,
    async close() {
      await channel.close();
      await connection.close();
    },
  };
}
