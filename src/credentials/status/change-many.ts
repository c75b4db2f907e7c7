/**
 * One status change of many credentials, set-based (StatusService.changeMany): the entries of
 * every credential (and the Token Status List entries that follow them) read in batches, each
 * credential decided as a single change would be, then one conditional UPDATE per list, source
 * and target value. On PostgreSQL the entries read are locked until commit, so the conditional
 * updates cannot lose a race; an update that changes fewer rows than decided fails the whole
 * change (nothing is half done).
 */
import type { EntityManager } from 'typeorm';
import { type Change, decide, unknownCredential } from './decide.js';
import { StatusEntryEntity, type StatusEntryRow, TOKEN_PURPOSE } from './entities.js';
import { decideToken } from './token-entries.js';
import { isPostgres } from './transactions.js';

/** Credentials per read (well below SQLite's and PostgreSQL's bounds on parameters). */
const BATCH = 300;

function batches<T>(items: readonly T[]): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += BATCH) parts.push(items.slice(start, start + BATCH));
  return parts;
}

/** One row to move from `from` to `to`. */
interface Flip {
  readonly listId: string;
  readonly listIndex: number;
  readonly from: number;
  readonly to: number;
}

/** Applies `change` to every credential of `ids` in `m`'s transaction; answers the lists changed. */
export async function changeEntries(
  m: EntityManager,
  change: Change,
  ids: readonly string[],
  now: Date,
): Promise<string[]> {
  const rows: StatusEntryRow[] = [];
  for (const part of batches(ids)) {
    const query = m
      .getRepository(StatusEntryEntity)
      .createQueryBuilder('e')
      .where('(e.credential_id IN (:...ids) OR (e.purpose = :token AND e.follows IN (:...ids)))', {
        ids: part,
        token: TOKEN_PURPOSE,
      })
      .orderBy('e.list_id', 'ASC')
      .addOrderBy('e.list_index', 'ASC');
    if (isPostgres(m.connection)) query.setLock('pessimistic_write');
    rows.push(...(await query.getMany()));
  }
  const flips = new Map<string, Flip>();
  const flip = (row: StatusEntryRow, to: number) =>
    flips.set(`${row.listId}\u0000${row.listIndex}`, {
      listId: row.listId,
      listIndex: row.listIndex,
      from: row.status,
      to,
    });
  for (const id of ids) {
    const own = rows.filter((row) => row.credentialId === id);
    const bitstring = own.filter((row) => row.purpose !== TOKEN_PURPOSE);
    if (own.length === 0) throw unknownCredential(id);
    if (bitstring.length > 0) {
      const target = decide(change, id, bitstring);
      flip(target.row, target.to);
    } else decideToken(change, id, own[0] as StatusEntryRow);
  }
  // Token Status List entries of these credentials and of those that follow them (flipTokens' rule).
  const tokenTo = change === 'revoke' ? 1 : change === 'suspend' ? 2 : 0;
  const tokenFrom = change === 'reinstate' ? [2] : change === 'suspend' ? [0] : [0, 2];
  const idSet = new Set(ids);
  for (const row of rows) {
    if (row.purpose !== TOKEN_PURPOSE || !tokenFrom.includes(row.status)) continue;
    if (idSet.has(row.credentialId) || (typeof row.follows === 'string' && idSet.has(row.follows)))
      flip(row, tokenTo);
  }
  const groups = new Map<string, Flip[]>();
  for (const item of flips.values()) {
    const key = `${item.listId}\u0000${item.from}\u0000${item.to}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const at = now.toISOString();
  for (const group of groups.values()) {
    const [{ listId, from, to }] = group as [Flip, ...Flip[]];
    for (const part of batches(group)) {
      const result = await m
        .createQueryBuilder()
        .update(StatusEntryEntity)
        .set({ status: to, updatedAt: at })
        .where('list_id = :listId AND status = :from AND list_index IN (:...indexes)', {
          listId,
          from,
          indexes: part.map((item) => item.listIndex),
        })
        .execute();
      if (result.affected !== part.length)
        throw new Error(`the status of credentials on list ${listId} changed concurrently; giving up`);
    }
  }
  return [...new Set([...flips.values()].map((item) => item.listId))].sort();
}
