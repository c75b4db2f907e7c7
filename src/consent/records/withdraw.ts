/**
 * Withdrawing consent (issue 11 item 5, the domain part; GDPR Art. 7(3): as easy as giving it,
 * effective at once). Only the citizen who gave it withdraws it. In one transaction: the record
 * changes state, a `withdrawn` event is appended to its history (nothing is edited), the
 * receipt's revocation bit is set, `consent.withdrawn` goes to the outbox, and the audit log
 * records it. The check reads the state from the database, so it answers `withdrawn` from the
 * commit on.
 */
import type { EntityManager } from 'typeorm';
import { inTransaction, isPostgres } from '../../db/index.js';
import type { ConsentDeps } from '../deps.js';
import { ConsentEventEntity, ConsentRecordEntity, type ConsentRecordRow } from '../entities.js';
import { ConsentError } from '../errors.js';
import type { Citizen } from '../pairwise.js';
import { auditOf, endConsent } from './lifecycle.js';
import { type ConsentView, consentView } from './views.js';

export interface WithdrawRequest {
  readonly consentId: string;
  /** The citizen logged in now (their key must be the one that gave the consent). */
  readonly citizen: Citizen;
  /** Default: the service clock. */
  readonly now?: Date;
}

export async function withdrawConsent(deps: ConsentDeps, request: WithdrawRequest): Promise<ConsentView> {
  if (typeof request.consentId !== 'string' || typeof request.citizen?.key !== 'string') {
    throw new ConsentError('invalid_request', 'consentId and citizen.key are strings');
  }
  const now = request.now ?? deps.now();
  const citizenHash = deps.keys.citizenHash(request.citizen.key);
  return inTransaction(deps.dataSource, undefined, async (manager) => {
    const row = await lockedRecord(deps, manager, request.consentId);
    if (!row) throw new ConsentError('consent_not_found', `no consent ${request.consentId}`);
    if (row.citizenHash !== citizenHash)
      throw new ConsentError('forbidden', 'only the citizen who gave a consent withdraws it');
    refuseEnded(row, now);
    const { event, outbox } = await endConsent(deps, manager, row, {
      status: 'withdrawn',
      at: now,
      actor: 'citizen',
    });
    await deps.audit.append(auditOf(row, event), manager);
    await deps.events.emit(manager, outbox);
    const events = await manager.getRepository(ConsentEventEntity).findBy({ consentId: row.id });
    const at = now.toISOString();
    return consentView({ ...row, status: 'withdrawn', statusAt: at, endedAt: at, activeKey: null }, events);
  });
}

/** The record, locked for the rest of the transaction (PostgreSQL; SQLite's write lock already is). */
export async function lockedRecord(
  deps: ConsentDeps,
  manager: EntityManager,
  id: string,
): Promise<ConsentRecordRow | undefined> {
  const query = manager
    .getRepository(ConsentRecordEntity)
    .createQueryBuilder('record')
    .where('record.id = :id', { id });
  if (isPostgres(deps.dataSource)) query.setLock('pessimistic_write');
  return (await query.getOne()) ?? undefined;
}

/** `already_withdrawn`, `already_expired` (also when its expiry passed unrecorded) or `consent_superseded`. */
function refuseEnded(row: ConsentRecordRow, now: Date): void {
  if (row.status === 'withdrawn')
    throw new ConsentError('already_withdrawn', `consent ${row.id} was withdrawn at ${row.statusAt}`);
  if (row.status === 'superseded') {
    throw new ConsentError(
      'consent_superseded',
      `consent ${row.id} was replaced by a newer consent at ${row.statusAt}`,
    );
  }
  if (row.status === 'expired' || Date.parse(row.expiresAt) <= now.getTime()) {
    throw new ConsentError('already_expired', `consent ${row.id} expired at ${row.expiresAt}`);
  }
}
