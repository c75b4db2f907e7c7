/**
 * Agreements expire at their end without anyone asking (issue 13 item 3). `expireDue` claims due
 * agreements in batches with `FOR UPDATE SKIP LOCKED` (PostgreSQL: any number of replicas share
 * the work, none ends one twice; SQLite's write lock makes runs take turns) and ends each as
 * `expired` at its end: credentials revoked, audit entry, `agreement.expired` to the outbox. Each
 * batch is one transaction of set-based statements (transitions.ts expireAll: one UPDATE, one
 * change of the status bits, one audit append, one outbox append), not a round trip per
 * agreement; the audit head is taken first, so two replicas' runs take turns on it and the
 * later one no longer finds what the earlier one ended. The check does not wait for this: it
 * answers `expired` from the end instant on.
 */
import { setInterval } from 'node:timers';
import { inTransaction, isPostgres } from '../db/index.js';
import type { AgreementDeps } from './deps.js';
import { AgreementEntity } from './entities.js';
import { expireAll } from './lifecycle/transitions.js';

export const EXPIRY_BATCH = 100;

/** Ends every active or suspended agreement whose end is at or before `now`; answers how many. */
export async function expireDue(deps: AgreementDeps, now: Date, batch = EXPIRY_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const ended = await inTransaction(deps.dataSource, undefined, async (manager) => {
      // The audit head before the agreement rows: the order of a board decision (ports.ts AgreementAudit).
      await deps.audit.lockHead(manager);
      const query = manager
        .getRepository(AgreementEntity)
        .createQueryBuilder('a')
        .where('a.status IN (:...statuses)', { statuses: ['active', 'suspended'] })
        .andWhere('a.endsAt IS NOT NULL AND a.endsAt <= :now', { now: now.toISOString() })
        .orderBy('a.endsAt', 'ASC')
        .limit(batch);
      if (isPostgres(deps.dataSource)) query.setLock('pessimistic_write').setOnLocked('skip_locked');
      const due = await query.getMany();
      // One set-based change for the whole batch: rows, credentials, audit entries, events.
      await expireAll(deps, manager, due);
      return due.length;
    });
    total += ended;
    if (ended < batch) return total;
  }
}

/** Runs expireDue every `intervalMs` (timer unref'd, runs never overlap) until the returned stop. */
export function startAgreementJobs(options: {
  readonly deps: AgreementDeps;
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
}): () => void {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => expireDue(options.deps, options.deps.now())).catch(options.onError);
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
