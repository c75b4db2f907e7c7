/**
 * Agreements follow their parties' membership (issue 13 item 3), in the transaction of the
 * membership decision itself (src/membership/ports.ts MemberAgreements): when it commits, the
 * agreements have changed with it, on every replica, since the check reads the database.
 *
 * - suspended → its active agreements are suspended (credentials' suspension bit set);
 * - reinstated → those no other party holds suspended are active again (bit cleared);
 * - revoked or withdrawn → every agreement not yet ended is terminated (credentials revoked).
 */
import type { EntityManager } from 'typeorm';
import type { AgreementDeps } from '../deps.js';
import { AgreementEntity } from '../entities.js';
import { endAll, reinstateAllFor, suspendAllFor } from './transitions.js';

export interface PartyStatusChange {
  readonly did: string;
  readonly change: 'suspended' | 'reinstated' | 'revoked' | 'withdrawn';
  readonly motion?: string;
}

const OPEN = ['proposed', 'active', 'suspended'];

export async function partyStatusChanged(
  deps: AgreementDeps,
  change: PartyStatusChange,
  manager: EntityManager,
): Promise<number> {
  const query = manager
    .getRepository(AgreementEntity)
    .createQueryBuilder('a')
    .where('(a.providerDid = :did OR a.consumerDid = :did)', { did: change.did })
    .andWhere('a.status IN (:...open)', { open: OPEN })
    .orderBy('a.id', 'ASC');
  if (manager.connection.options.type === 'postgres') query.setLock('pessimistic_write');
  const rows = await query.getMany();
  const now = deps.now();
  // Set-based: a bounded number of statements for any number of agreements (transitions.ts).
  if (change.change === 'suspended') await suspendAllFor(deps, manager, rows, change.did, now, change.motion);
  else if (change.change === 'reinstated')
    await reinstateAllFor(deps, manager, rows, change.did, now, change.motion);
  else {
    await endAll(deps, manager, rows, {
      status: 'terminated',
      at: now,
      by: 'service',
      reason: `membership of ${change.did} ${change.change}${change.motion ? ` (motion ${change.motion})` : ''}`,
      reasonCode: change.change === 'revoked' ? 'membership_revoked' : 'membership_withdrawn',
      ...(change.motion ? { motion: change.motion } : {}),
    });
  }
  return rows.length;
}
