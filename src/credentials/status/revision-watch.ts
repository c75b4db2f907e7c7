/**
 * Knows, without asking the database, whether a status list's revision may have changed since
 * a copy of it was built: every status change on PostgreSQL sends `NOTIFY` with the list id and
 * its new revision in the same transaction (so it is announced exactly when it commits), and
 * every replica LISTENs on a dedicated connection.
 *
 * A copy is current when it was stamped while listening in the same epoch (no reconnection
 * since) and no announced revision of its list is newer. When the listening connection is
 * lost, nothing is current: the publisher falls back to reading the revision on every lookup
 * (the bounded check) until the connection is back; a reconnection starts a new epoch, so every
 * copy is checked against the database once more.
 *
 * A stalled connection (TCP up, packets stopped) is not "lost" and brings no announcement, so
 * listening alone proves nothing: copies count as current only while the listener proved its
 * connection alive within `CONFIRMED_FOR_MS` (see `lastConfirmedAt`). Past that, the watch acts
 * as if disconnected: every lookup reads the revision, which on a stalled database times out and
 * fails closed (`status_unavailable`) instead of answering from a copy that may be stale.
 *
 * The remaining window is the notification's delivery: a replica answers from its copy until
 * the announcement reaches it (a fraction of a millisecond on one network), at most
 * `CONFIRMED_FOR_MS` when the link stalls, not a TTL.
 */
import { type ChannelListener, type DatabaseListener, listenOnChannel } from '../../db/listener.js';

/** The channel of status list changes. */
export const STATUS_CHANNEL = 'dataspace_trust_status';

/**
 * How long after the listener last proved its connection alive cached copies still count as
 * current. It bounds how long a replica whose database link stalls may answer from a copy that
 * another replica has meanwhile revoked. The listener probes every second: three seconds leave
 * room for two late probes on a busy host before lookups fall back to reading the revision.
 */
export const CONFIRMED_FOR_MS = 3_000;

export interface RevisionWatch {
  /** A stamp for a copy read now, or undefined when copies cannot be trusted without a read. */
  stamp(): number | undefined;
  /** True when a copy of `listId` at `revision`, stamped with `stamp`, is still current. */
  isCurrent(listId: string, revision: number, stamp: number | undefined): boolean;
  close(): Promise<void>;
}

/** The payload of a change announcement: `<listId> <revision>`. */
export function statusAnnouncement(listId: string, revision: number): string {
  return `${listId} ${revision}`;
}

export interface ListeningRevisionWatch extends RevisionWatch {
  readonly listener: ChannelListener;
  /** Calls `handler` after each announcement was recorded (tests and metrics). */
  onAnnouncement(handler: (listId: string, revision: number) => void): () => void;
  /** Calls `handler` when listening starts (`true`) or the connection is lost (`false`). */
  onState(handler: (listening: boolean) => void): () => void;
}

export function listeningRevisionWatch(options: {
  readonly databaseUrl: string;
  /** The process's shared listening connection; without it the watch opens a connection of its own. */
  readonly connection?: DatabaseListener;
  readonly onState?: (listening: boolean, error?: Error) => void;
  /** The clock that ages the last confirmation (ms since the epoch). Default `Date.now`. */
  readonly now?: () => number;
  /** How often the listener proves its connection alive. Default 1,000 ms. */
  readonly probeIntervalMs?: number;
}): ListeningRevisionWatch {
  const now = options.now ?? Date.now;
  const announced = new Map<string, number>();
  const handlers = new Set<(listId: string, revision: number) => void>();
  const stateHandlers = new Set<(listening: boolean) => void>();
  const subscription = {
    channel: STATUS_CHANNEL,
    onNotification(payload: string) {
      const [listId, text] = payload.split(' ');
      const revision = Number(text);
      if (!listId || !Number.isSafeInteger(revision)) return;
      if ((announced.get(listId) ?? -1) < revision) announced.set(listId, revision);
      for (const handler of handlers) handler(listId, revision);
    },
    onState(listening: boolean, error?: Error) {
      // Announcements of an earlier epoch say nothing about copies of the new one.
      if (listening) announced.clear();
      options.onState?.(listening, error);
      for (const handler of stateHandlers) handler(listening);
    },
  };
  const listener =
    options.connection?.subscribe(subscription) ??
    listenOnChannel({
      databaseUrl: options.databaseUrl,
      now,
      ...(options.probeIntervalMs === undefined ? {} : { probeIntervalMs: options.probeIntervalMs }),
      ...subscription,
    });
  /** Listening on a connection proven alive recently: announcements can be relied on. */
  const confirmed = () => {
    const at = listener.lastConfirmedAt;
    return listener.listening && at !== undefined && now() - at <= CONFIRMED_FOR_MS;
  };
  return {
    listener,
    stamp: () => (confirmed() ? listener.epoch : undefined),
    isCurrent(listId, revision, stamp) {
      if (stamp === undefined || !confirmed() || stamp !== listener.epoch) return false;
      return (announced.get(listId) ?? -1) <= revision;
    },
    onAnnouncement(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onState(handler) {
      stateHandlers.add(handler);
      return () => stateHandlers.delete(handler);
    },
    close: () => listener.close(),
  };
}
