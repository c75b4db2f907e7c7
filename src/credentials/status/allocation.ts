import { randomBytes, randomInt } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  StatusEntryEntity,
  type StatusEntryRow,
  StatusListEntity,
  type StatusListRow,
  type StatusPurpose,
} from './entities.js';
import { StatusListError } from './errors.js';

/** Where a credential's status lives: one index of one list. */
export interface StatusAllocation {
  readonly listId: string;
  readonly index: number;
  readonly purpose: StatusPurpose;
}

export interface AllocationPolicy {
  /** The size (entries) of lists opened from now on. */
  readonly listSize: number;
  readonly now: () => Date;
}

// A list takes no new entries once 3/4 of it is handed out (the same rule as in openList): random probing then needs at most
// four tries on average, and the free quarter keeps the allocated positions hard to guess.
const OPEN_WHILE = 'allocated * 4 < size * 3';
const MAX_PROBES = 64;
const MAX_ROUNDS = 16;

/**
 * Hands out one index for (purpose, credential), inside the transaction of `manager`.
 *
 * Safe under concurrency, in one process or many, because every step is decided by the
 * database: the list's `allocated` counter is reserved by a conditional UPDATE (which also
 * serialises allocations per list on PostgreSQL, its row lock being held until commit), the
 * index is inserted with ON CONFLICT DO NOTHING under the (list_id, list_index) primary key and
 * read back, and a new list is opened under the unique (purpose, sequence) index so that two
 * replicas opening the next list at once create one. No statement raises a unique violation,
 * which would abort a caller's PostgreSQL transaction.
 *
 * Idempotent: a credential that already holds an entry for the purpose gets that entry again.
 */
export async function allocateIndex(
  manager: EntityManager,
  purpose: StatusPurpose,
  credentialId: string,
  policy: AllocationPolicy,
): Promise<StatusAllocation> {
  const entries = manager.getRepository(StatusEntryEntity);
  const held = await entries.findOneBy({ credentialId, purpose });
  if (held) return toAllocation(held);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const list = await openList(manager, purpose, policy);
    if (!list || !(await reserve(manager, list.id, policy))) continue;
    for (let probe = 0; probe < MAX_PROBES; probe++) {
      // Random positions (§2.1): neither the order of issuance nor the group size shows.
      const index = randomInt(list.size);
      const now = policy.now().toISOString();
      await manager
        .createQueryBuilder()
        .insert()
        .into(StatusEntryEntity)
        .values({
          listId: list.id,
          listIndex: index,
          purpose,
          credentialId,
          status: 0,
          createdAt: now,
          updatedAt: now,
        })
        .orIgnore()
        .execute();
      const row = await entries.findOneBy({ listId: list.id, listIndex: index });
      if (row?.credentialId === credentialId && row.purpose === purpose) return toAllocation(row);
      if (!row) {
        // Not inserted and not taken: the credential got its entry in a concurrent call.
        const concurrent = await entries.findOneBy({ credentialId, purpose });
        if (concurrent) {
          await release(manager, list.id, policy);
          return toAllocation(concurrent);
        }
      }
    }
    await release(manager, list.id, policy);
    break;
  }
  throw new StatusListError(
    'allocation_failed',
    `no free ${purpose} index found for ${credentialId}; try again`,
  );
}

/**
 * The purpose's latest list while it takes entries; otherwise opens the next one and answers
 * null (the caller looks again). The decision comes from one statement, so it never mixes two
 * moments: a list opened by another replica in between is found, not doubled.
 */
async function openList(
  manager: EntityManager,
  purpose: StatusPurpose,
  policy: AllocationPolicy,
): Promise<StatusListRow | null> {
  const latest = await manager
    .getRepository(StatusListEntity)
    .createQueryBuilder('list')
    .where('list.purpose = :purpose', { purpose })
    .orderBy('list.sequence', 'DESC')
    .getOne();
  if (latest && latest.allocated * 4 < latest.size * 3) return latest;
  const now = policy.now().toISOString();
  // Whoever inserts this sequence number first opens the list; the others find it on the next round.
  await manager
    .createQueryBuilder()
    .insert()
    .into(StatusListEntity)
    .values({
      id: newListId(),
      purpose,
      sequence: (latest?.sequence ?? 0) + 1,
      size: policy.listSize,
      allocated: 0,
      revision: 0,
      createdAt: now,
      updatedAt: now,
    })
    .orIgnore()
    .execute();
  return null;
}

/** Takes one place in the list's count, unless the list reached its fill limit meanwhile. */
async function reserve(manager: EntityManager, listId: string, policy: AllocationPolicy): Promise<boolean> {
  const result = await manager
    .createQueryBuilder()
    .update(StatusListEntity)
    .set({ allocated: () => 'allocated + 1', updatedAt: policy.now().toISOString() })
    .where(`id = :listId AND ${OPEN_WHILE}`, { listId })
    .execute();
  return result.affected === 1;
}

async function release(manager: EntityManager, listId: string, policy: AllocationPolicy): Promise<void> {
  await manager
    .createQueryBuilder()
    .update(StatusListEntity)
    .set({ allocated: () => 'allocated - 1', updatedAt: policy.now().toISOString() })
    .where('id = :listId', { listId })
    .execute();
}

/** 128 random bits, base64url: unguessable and safe in a URL path. */
function newListId(): string {
  return randomBytes(16).toString('base64url');
}

function toAllocation(row: StatusEntryRow): StatusAllocation {
  return { listId: row.listId, index: row.listIndex, purpose: row.purpose };
}
