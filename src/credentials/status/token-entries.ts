/**
 * Token Status List entries (SD-JWT VCs) in the status tables: purpose `token`, the status
 * column holding the value (0 VALID, 1 INVALID, 2 SUSPENDED), `follows` naming the credential
 * whose status an entry follows. The status service calls these inside its change
 * transactions, so a member's revocation or suspension flips its Bitstring bit and every
 * following token entry together.
 */
import type { EntityManager } from 'typeorm';
import type { Change } from './decide.js';
import { StatusEntryEntity, type StatusEntryRow, StatusListEntity, TOKEN_PURPOSE } from './entities.js';
import { StatusListError } from './errors.js';

export interface TokenListSnapshot {
  readonly size: number;
  readonly revision: number;
  readonly values: Array<[number, number]>;
}

/** A token list's entries whose value is not 0, or undefined when there is no such token list. */
export async function tokenListSnapshot(
  manager: EntityManager,
  listId: string,
): Promise<TokenListSnapshot | undefined> {
  const list = await manager.getRepository(StatusListEntity).findOneBy({ id: listId });
  if (!list || list.purpose !== TOKEN_PURPOSE) return undefined;
  const rows = await manager
    .getRepository(StatusEntryEntity)
    .createQueryBuilder('e')
    .select(['e.listIndex', 'e.status'])
    .where('e.list_id = :listId AND e.status <> 0', { listId })
    .getMany();
  return {
    size: list.size,
    revision: list.revision,
    values: rows.map((row) => [row.listIndex, row.status] as [number, number]),
  };
}

/**
 * Token Status List values after a change: revoke → 1 (INVALID), suspend → 2 (SUSPENDED),
 * reinstate → 0 for entries at 2. An entry already at 1 stays: revocation is final.
 */
export async function flipTokens(
  m: EntityManager,
  change: Change,
  credentialId: string,
  now: Date,
): Promise<string[]> {
  const to = change === 'revoke' ? 1 : change === 'suspend' ? 2 : 0;
  const from = change === 'reinstate' ? [2] : change === 'suspend' ? [0] : [0, 2];
  const rows = await m
    .getRepository(StatusEntryEntity)
    .createQueryBuilder('e')
    .where('e.purpose = :purpose AND (e.credential_id = :id OR e.follows = :id)', {
      purpose: TOKEN_PURPOSE,
      id: credentialId,
    })
    .getMany();
  const changed: string[] = [];
  for (const row of rows.filter((r) => from.includes(r.status))) {
    const result = await m
      .createQueryBuilder()
      .update(StatusEntryEntity)
      .set({ status: to, updatedAt: now.toISOString() })
      .where('list_id = :listId AND list_index = :index AND status = :from', {
        listId: row.listId,
        index: row.listIndex,
        from: row.status,
      })
      .execute();
    if (result.affected === 1) changed.push(row.listId);
  }
  return changed;
}

/** The Token Status List value that a credential's Bitstring entries (or token entry) say. */
export function tokenValueOf(rows: readonly StatusEntryRow[]): number {
  const token = rows.find((row) => row.purpose === TOKEN_PURPOSE);
  if (token) return token.status;
  if (rows.some((row) => row.purpose === 'revocation' && row.status === 1)) return 1;
  if (rows.some((row) => row.purpose === 'suspension' && row.status === 1)) return 2;
  return 0;
}

/** Refuses a change that a credential holding only a token entry cannot make. */
export function decideToken(change: Change, credentialId: string, row: StatusEntryRow): void {
  if (row.status === 1)
    throw new StatusListError(
      'already_revoked',
      `credential ${credentialId} is revoked; revocation is final`,
    );
  if (change === 'suspend' && row.status === 2)
    throw new StatusListError('already_suspended', `credential ${credentialId} is already suspended`);
  if (change === 'reinstate' && row.status !== 2)
    throw new StatusListError('not_suspended', `credential ${credentialId} is not suspended`);
}
