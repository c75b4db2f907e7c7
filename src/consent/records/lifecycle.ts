/**
 * Ending a consent, whichever way it ends (withdrawn by the citizen, replaced by their newer
 * consent, expired): in the caller's transaction the record's state changes, the event is
 * appended to its history and the receipt's revocation bit is set. The caller then appends the
 * audit entry and, last, the outbox event this returns: audit head before event head is the one
 * lock order of every transaction that writes both (src/events/outbox.ts), so none deadlock.
 */
import type { EntityManager } from 'typeorm';
import type { ConsentDeps } from '../deps.js';
import { type ConsentEventRow, ConsentRecordEntity, type ConsentRecordRow } from '../entities.js';
import { appendEvent } from '../history.js';
import type { ConsentEvent, ConsentEventType } from '../ports.js';

export type EndedStatus = 'withdrawn' | 'expired' | 'superseded';

const EVENT_TYPE: Readonly<Record<EndedStatus, ConsentEventType>> = {
  withdrawn: 'consent.withdrawn',
  // For the controller a replaced consent ends like a withdrawn one; the event says why.
  superseded: 'consent.withdrawn',
  expired: 'consent.expired',
};

/** Who is told: the controller first, then each recipient (what the outbox addresses). */
export function audienceOf(row: ConsentRecordRow): string[] {
  return [row.controllerDid, ...(JSON.parse(row.recipients) as string[])];
}

export async function endConsent(
  deps: ConsentDeps,
  manager: EntityManager,
  row: ConsentRecordRow,
  change: {
    readonly status: EndedStatus;
    readonly at: Date;
    readonly actor: 'citizen' | 'service';
    /** Ids only (e.g. `supersededBy`): kept in the history and sent with the event. */
    readonly data?: Readonly<Record<string, string>>;
  },
): Promise<{ readonly event: ConsentEventRow; readonly outbox: ConsentEvent }> {
  const at = change.at.toISOString();
  await manager
    .getRepository(ConsentRecordEntity)
    .update({ id: row.id }, { status: change.status, statusAt: at, endedAt: at, activeKey: null });
  const event = await appendEvent(manager, row.id, {
    event: change.status,
    at: change.at,
    actor: change.actor,
    ...(change.data ? { data: change.data } : {}),
  });
  await deps.status.revoke(row.receiptId, manager);
  const type = EVENT_TYPE[change.status];
  const outbox: ConsentEvent = {
    type,
    subject: row.id,
    audience: audienceOf(row),
    data: {
      consentId: row.id,
      subject: row.subjectId,
      noticeId: row.noticeId,
      noticeVersion: row.noticeVersion,
      [type === 'consent.expired' ? 'expiredAt' : 'withdrawnAt']: at,
      ...(change.status === 'superseded' ? { reason: 'superseded' } : {}),
      ...(change.data ?? {}),
    },
  };
  return { event, outbox };
}

/** The audit entry of a consent event: ids and hashes, never the citizen's pseudonym. */
export function auditOf(
  row: ConsentRecordRow,
  event: ConsentEventRow,
  extra: Readonly<Record<string, string>> = {},
) {
  return {
    kind: `consent.${event.event}`,
    actor: 'service',
    subject: row.id,
    data: {
      controller: row.controllerDid,
      notice: row.noticeId,
      version: row.noticeVersion,
      recordHash: row.recordHash,
      eventHash: event.hash,
      // Who acted: the citizen has no public identity here, so the service records for them.
      by: event.actor,
      ...extra,
    },
  };
}
