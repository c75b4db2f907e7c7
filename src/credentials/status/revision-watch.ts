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
 * The remaining window is the notification's delivery: a replica answers from its copy until
 * the announcement reaches it (a fraction of a millisecond on one network), not a TTL.
 */
import { type ChannelListener, listenOnChannel } from '../../db/listener.js';

/** The channel of status list changes. */
export const STATUS_CHANNEL = 'dataspace_trust_status';

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
  readonly onState?: (listening: boolean, error?: Error) => void;
}): ListeningRevisionWatch {
  const announced = new Map<string, number>();
  const handlers = new Set<(listId: string, revision: number) => void>();
  const stateHandlers = new Set<(listening: boolean) => void>();
  const listener = listenOnChannel({
    databaseUrl: options.databaseUrl,
    channel: STATUS_CHANNEL,
    onNotification(payload) {
      const [listId, text] = payload.split(' ');
      const revision = Number(text);
      if (!listId || !Number.isSafeInteger(revision)) return;
      if ((announced.get(listId) ?? -1) < revision) announced.set(listId, revision);
      for (const handler of handlers) handler(listId, revision);
    },
    onState(listening, error) {
      // Announcements of an earlier epoch say nothing about copies of the new one.
      if (listening) announced.clear();
      options.onState?.(listening, error);
      for (const handler of stateHandlers) handler(listening);
    },
  });
  return {
    listener,
    stamp: () => (listener.listening ? listener.epoch : undefined),
    isCurrent(listId, revision, stamp) {
      if (stamp === undefined || !listener.listening || stamp !== listener.epoch) return false;
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
