/**
 * A consent's history: append-only rows in `consent_event`, hash-chained per consent like the
 * audit log (each row's hash covers the previous one), so that an edited or removed event is
 * evident. The record row holds the current state for the check's one indexed read; the
 * history holds how it got there (ISO/IEC TS 27560 "events").
 */
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { canonicalJson } from '../json/canonical.js';
import { ConsentEventEntity, type ConsentEventKind, type ConsentEventRow } from './entities.js';

export const FIRST_PREV_HASH = '0'.repeat(64);

/** One event of a consent's history, as the API shows it. */
export interface HistoryEvent {
  readonly seq: number;
  readonly event: ConsentEventKind;
  readonly at: string;
  readonly actor: 'citizen' | 'service';
  readonly data: Readonly<Record<string, unknown>>;
  readonly hash: string;
}

export function eventHash(fields: Omit<ConsentEventRow, 'hash' | 'data'> & { data: unknown }): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        consentId: fields.consentId,
        seq: fields.seq,
        event: fields.event,
        at: fields.at,
        actor: fields.actor,
        data: fields.data,
        prevHash: fields.prevHash,
      }),
    )
    .digest('hex');
}

/** Appends the next event of `consentId` in the caller's transaction (which holds the record's row). */
export async function appendEvent(
  manager: EntityManager,
  consentId: string,
  event: {
    readonly event: ConsentEventKind;
    readonly at: Date;
    readonly actor: 'citizen' | 'service';
    readonly data?: Readonly<Record<string, unknown>>;
  },
): Promise<ConsentEventRow> {
  const repository = manager.getRepository(ConsentEventEntity);
  const [last] = await repository.find({
    select: { seq: true, hash: true },
    where: { consentId },
    order: { seq: 'DESC' },
    take: 1,
  });
  const data = event.data ?? {};
  const fields = {
    consentId,
    seq: (last?.seq ?? 0) + 1,
    event: event.event,
    at: event.at.toISOString(),
    actor: event.actor,
    prevHash: last?.hash ?? FIRST_PREV_HASH,
  };
  const row: ConsentEventRow = { ...fields, data: canonicalJson(data), hash: eventHash({ ...fields, data }) };
  await repository.insert(row);
  return row;
}

export function historyEvent(row: ConsentEventRow): HistoryEvent {
  return {
    seq: row.seq,
    event: row.event,
    at: row.at,
    actor: row.actor,
    data: JSON.parse(row.data) as Record<string, unknown>,
    hash: row.hash,
  };
}
