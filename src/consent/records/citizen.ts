/**
 * What a logged-in citizen does with their own records (issue 11 item 5): list them with their
 * history, fetch a receipt again, export everything in ISO/IEC TS 27560 form, and erase their
 * account. Records are found by the keyed hash of the citizen's key, never by a wallet DID.
 */
import { type EntityManager, In } from 'typeorm';
import { inTransaction, isPostgres, reading } from '../../db/index.js';
import type { ConsentDeps } from '../deps.js';
import { DAY_MS } from '../deps.js';
import {
  ConsentEventEntity,
  type ConsentEventRow,
  ConsentRecordEntity,
  type ConsentRecordRow,
  NoticeVersionEntity,
} from '../entities.js';
import { ConsentError } from '../errors.js';
import { appendEvent, historyEvent } from '../history.js';
import type { NoticeContent } from '../notices/content.js';
import { vocabularyOf } from '../notices/notices.js';
import type { Citizen } from '../pairwise.js';
import type { ConsentEvent } from '../ports.js';
import { ISO_27560_SCHEMA, type Iso27560Record, iso27560Record } from './iso27560.js';
import { endConsent } from './lifecycle.js';
import { type ConsentView, consentView } from './views.js';

/** A consent on the citizen's dashboard: the record, the notice's title and the controller's registered name. */
export interface CitizenConsent extends ConsentView {
  readonly noticeTitle: string;
  readonly controllerName?: string;
}

export interface Iso27560Export {
  readonly schema_version: string;
  readonly exported_at: string;
  readonly records: readonly Iso27560Record[];
}

/** What an erasure did (see docs/consent.md, "Erasure"). */
export interface ErasureResult {
  /** Active consents withdrawn first. */
  readonly withdrawn: number;
  /** Records kept (their retention has not ended) but no longer linked to the citizen; receipts deleted. */
  readonly unlinked: number;
  /** Records whose retention had ended: deleted with their history. */
  readonly deleted: number;
}

/** Every consent of the citizen, newest first, each with its history. */
export async function listConsents(deps: ConsentDeps, citizen: Citizen): Promise<CitizenConsent[]> {
  const { rows, events, notices } = await reading(deps.dataSource, undefined, (manager) =>
    citizenRecords(manager, deps.keys.citizenHash(keyOf(citizen))),
  );
  const names = await memberNames(deps, rows);
  return rows.map((row) => {
    const name = names.get(row.controllerDid);
    return {
      ...consentView(row, events.get(row.id) ?? []),
      noticeTitle: notices.get(`${row.noticeId}|${row.noticeVersion}`)?.title ?? '',
      ...(name ? { controllerName: name } : {}),
    };
  });
}

/** The receipt JWT of one of the citizen's consents (revoked once the consent ended). */
export async function consentReceipt(
  deps: ConsentDeps,
  consentId: string,
  citizen: Citizen,
): Promise<string> {
  const row = await ownRecord(deps, consentId, citizen);
  if (row.receiptSealed === null) throw new ConsentError('consent_not_found', `no consent ${consentId}`);
  return deps.keys.open(row.receiptSealed, row.id);
}

/** One of the citizen's consents with its history; `consent_not_found` or `forbidden` otherwise. */
export async function citizenConsent(
  deps: ConsentDeps,
  consentId: string,
  citizen: Citizen,
): Promise<ConsentView> {
  const row = await ownRecord(deps, consentId, citizen);
  const events = await reading(deps.dataSource, undefined, (manager) =>
    manager.getRepository(ConsentEventEntity).findBy({ consentId }),
  );
  return consentView(row, events);
}

/** Every record of the citizen as ISO/IEC TS 27560 records (field names as the standard's). */
export async function exportConsents(
  deps: ConsentDeps,
  citizen: Citizen,
  now = deps.now(),
): Promise<Iso27560Export> {
  const { rows, events, notices } = await reading(deps.dataSource, undefined, (manager) =>
    citizenRecords(manager, deps.keys.citizenHash(keyOf(citizen))),
  );
  const names = await memberNames(deps, rows);
  return {
    schema_version: ISO_27560_SCHEMA,
    exported_at: now.toISOString(),
    records: rows.map((row) => {
      const notice = notices.get(`${row.noticeId}|${row.noticeVersion}`);
      return iso27560Record(row, (events.get(row.id) ?? []).map(historyEvent), {
        publicUrl: deps.publicUrl,
        withdrawalUrl: deps.withdrawalUrl,
        serviceDid: deps.serviceDid,
        notice: { language: notice?.language ?? 'en', jurisdiction: notice?.jurisdiction ?? '' },
        names,
      });
    }),
  };
}

/**
 * Erases the citizen's account (GDPR Art. 17), in one transaction: every active consent is
 * withdrawn first (receipt revoked, controller and recipients told); records whose retention
 * (the rulebook's consent.recordRetentionDays after they ended) is over are deleted with their
 * history; the others stay, so that controllers can still demonstrate the consent they relied
 * on (Art. 7(1), 17(3)(e)), but lose the link to the citizen (the citizen hash) and the sealed
 * receipt, and get an `erased` event. The audit log gets one entry with counts, not the consent
 * ids: it is public and must not link one person's consents to each other.
 */
export async function eraseCitizen(
  deps: ConsentDeps,
  citizen: Citizen,
  now = deps.now(),
): Promise<ErasureResult> {
  const retentionMs = vocabularyOf((await deps.rulebook.current()).rulebook).recordRetentionDays * DAY_MS;
  const citizenHash = deps.keys.citizenHash(keyOf(citizen));
  return inTransaction(deps.dataSource, undefined, async (manager) => {
    const records = manager.getRepository(ConsentRecordEntity);
    const query = records
      .createQueryBuilder('record')
      .where('record.citizenHash = :citizenHash', { citizenHash });
    if (isPostgres(deps.dataSource)) query.setLock('pessimistic_write');
    const rows = await query.getMany();
    let withdrawn = 0;
    let unlinked = 0;
    let deleted = 0;
    const outbox: ConsentEvent[] = [];
    for (const row of rows) {
      let endedAt = row.endedAt;
      if (row.status === 'given') {
        const lapsed = Date.parse(row.expiresAt) <= now.getTime();
        const at = lapsed ? new Date(row.expiresAt) : now;
        const ended = await endConsent(
          deps,
          manager,
          row,
          lapsed
            ? { status: 'expired', at, actor: 'service' }
            : { status: 'withdrawn', at, actor: 'citizen', data: { reason: 'erasure' } },
        );
        outbox.push(ended.outbox);
        if (!lapsed) withdrawn++;
        endedAt = at.toISOString();
      }
      if (endedAt !== null && Date.parse(endedAt) + retentionMs <= now.getTime()) {
        await manager.getRepository(ConsentEventEntity).delete({ consentId: row.id });
        await records.delete({ id: row.id });
        deleted++;
      } else {
        await records.update({ id: row.id }, { citizenHash: null, receiptSealed: null });
        await appendEvent(manager, row.id, { event: 'erased', at: now, actor: 'citizen' });
        unlinked++;
      }
    }
    if (rows.length > 0) {
      await deps.audit.append(
        { kind: 'consent.erasure', actor: 'service', subject: null, data: { withdrawn, unlinked, deleted } },
        manager,
      );
    }
    // Events last: audit head before event head, the one lock order (records/lifecycle.ts).
    for (const event of outbox) await deps.events.emit(manager, event);
    return { withdrawn, unlinked, deleted };
  });
}

function keyOf(citizen: Citizen): string {
  if (typeof citizen?.key !== 'string' || citizen.key.length === 0) {
    throw new ConsentError('invalid_request', 'citizen.key must be the citizen’s key');
  }
  return citizen.key;
}

async function ownRecord(deps: ConsentDeps, consentId: string, citizen: Citizen): Promise<ConsentRecordRow> {
  const citizenHash = deps.keys.citizenHash(keyOf(citizen));
  const row = await reading(deps.dataSource, undefined, (manager) =>
    manager.getRepository(ConsentRecordEntity).findOneBy({ id: consentId }),
  );
  if (!row) throw new ConsentError('consent_not_found', `no consent ${consentId}`);
  if (row.citizenHash !== citizenHash)
    throw new ConsentError('forbidden', 'this consent is not the citizen’s');
  return row;
}

async function citizenRecords(manager: EntityManager, citizenHash: string) {
  const rows = await manager
    .getRepository(ConsentRecordEntity)
    .find({ where: { citizenHash }, order: { givenAt: 'DESC', id: 'ASC' } });
  const ids = rows.map((row) => row.id);
  const eventRows =
    ids.length === 0 ? [] : await manager.getRepository(ConsentEventEntity).findBy({ consentId: In(ids) });
  const events = new Map<string, ConsentEventRow[]>();
  for (const event of eventRows) events.set(event.consentId, [...(events.get(event.consentId) ?? []), event]);
  const notices = new Map<string, NoticeContent>();
  for (const row of rows) {
    const key = `${row.noticeId}|${row.noticeVersion}`;
    if (notices.has(key)) continue;
    const version = await manager
      .getRepository(NoticeVersionEntity)
      .findOneBy({ noticeId: row.noticeId, version: row.noticeVersion });
    if (version) notices.set(key, JSON.parse(version.content) as NoticeContent);
  }
  return { rows, events, notices };
}

/** Registered names of the controllers and recipients of these records. */
async function memberNames(
  deps: ConsentDeps,
  rows: readonly ConsentRecordRow[],
): Promise<Map<string, string>> {
  const dids = new Set(
    rows.flatMap((row) => [row.controllerDid, ...(JSON.parse(row.recipients) as string[])]),
  );
  const names = new Map<string, string>();
  for (const did of dids) {
    const member = await deps.members.member(did);
    if (member) names.set(did, member.legalName);
  }
  return names;
}
