import { createHash } from 'node:crypto';
import { type DataSource, type EntityManager, LessThan } from 'typeorm';
import { exclusive, isUniqueViolation } from '../db/index.js';
import { UsedNonceEntity } from './entities.js';
import type { NonceStore } from './verify/ports.js';

/**
 * One-time nonces in the database: the insert either creates the row (first use) or hits
 * the primary key (a replay), atomically on both SQLite and PostgreSQL and across replicas.
 * Only a hash of the nonce is stored. Expired rows are swept now and then.
 */
export interface TransactionalNonceStore extends NonceStore {
  /** Consumes inside the caller's transaction: the nonce is spent only if that commits. */
  consumeIn(manager: EntityManager, scope: string, nonce: string, expiresAt: Date): Promise<boolean>;
}

export function databaseNonceStore(
  dataSource: DataSource,
  now: () => Date = () => new Date(),
): TransactionalNonceStore {
  const repository = dataSource.getRepository(UsedNonceEntity);
  let lastSweep = 0;
  return {
    async consumeIn(manager, scope, nonce, expiresAt) {
      const nonceHash = createHash('sha256').update(nonce).digest('hex');
      const existing = await manager.getRepository(UsedNonceEntity).findOneBy({ scope, nonceHash });
      if (existing) return false;
      await manager
        .getRepository(UsedNonceEntity)
        .insert({ scope, nonceHash, expiresAt: expiresAt.toISOString() });
      return true;
    },
    async consume(scope, nonce, expiresAt) {
      const nonceHash = createHash('sha256').update(nonce).digest('hex');
      const current = now();
      // Queued on SQLite: an insert must never join another caller's open transaction.
      return exclusive(dataSource, async () => {
        if (current.getTime() - lastSweep > 60_000) {
          lastSweep = current.getTime();
          await repository.delete({ expiresAt: LessThan(current.toISOString()) });
        }
        try {
          await repository.insert({ scope, nonceHash, expiresAt: expiresAt.toISOString() });
          return true;
        } catch (error) {
          if (isUniqueViolation(error)) return false;
          throw error;
        }
      });
    },
  };
}
