/**
 * Consents expire at their expiry without anyone asking (issue 11 item 8), and ended records
 * are deleted when the rulebook's retention for them is over.
 *
 * - `expireDue`: claims due consents in batches with `FOR UPDATE SKIP LOCKED` (PostgreSQL: any
 *   number of replicas share the work, none ends a consent twice; SQLite's write lock makes
 *   runs take turns) and ends each as `expired` at its expiry time: history event, receipt
 *   revoked, `consent.expired` to the outbox, audit entry. The check does not wait for this: it
 *   answers `expired` from the expiry instant on.
 * - `purgeEnded`: deletes records (with their history) that ended more than
 *   consent.recordRetentionDays ago; on PostgreSQL one replica at a time (advisory lock).
 */
import { setInterval } from 'node:timers';
import { inTransaction, isPostgres } from '../db/index.js';
import type { ConsentDeps } from './deps.js';
import { DAY_MS } from './deps.js';
import { ConsentRecordEntity } from './entities.js';
import { vocabularyOf } from './notices/notices.js';
import type { ConsentEvent } from './ports.js';
import { auditOf, endConsent } from './records/lifecycle.js';

/** Consents ended per transaction: bounds how long a run holds its row locks. */
export const EXPIRY_BATCH = 100;
/** The advisory lock of the retention purge (an arbitrary, fixed 64-bit key). */
const PURGE_LOCK = 7_950_000_000_220;

/** Ends every consent due at `now`; answers how many this process ended. */
export async function expireDue(deps: ConsentDeps, now: Date, batch = EXPIRY_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const ended = await inTransaction(deps.dataSource, undefined, async (manager) => {
      const query = manager
        .getRepository(ConsentRecordEntity)
        .createQueryBuilder('record')
        .where('record.status = :given', { given: 'given' })
        .andWhere('record.expiresAt <= :now', { now: now.toISOString() })
        .orderBy('record.expiresAt', 'ASC')
        .limit(batch);
      if (isPostgres(deps.dataSource)) query.setLock('pessimistic_write').setOnLocked('skip_locked');
      const due = await query.getMany();
      const outbox: ConsentEvent[] = [];
      for (const row of due) {
        const ended = await endConsent(deps, manager, row, {
          status: 'expired',
          at: new Date(row.expiresAt),
          actor: 'service',
        });
        await deps.audit.append(auditOf(row, ended.event), manager);
        outbox.push(ended.outbox);
      }
      // Events last: audit head before event head, the one lock order (records/lifecycle.ts).
      for (const event of outbox) await deps.events.emit(manager, event);
      return due.length;
    });
    total += ended;
    if (ended < batch) return total;
  }
}

/** Deletes records that ended more than the rulebook's recordRetentionDays before `now`; undefined when another replica is at it. */
export async function purgeEnded(deps: ConsentDeps, now: Date): Promise<number | undefined> {
  const rulebook = (await deps.rulebook.current()).rulebook;
  if (!rulebook.consent) return 0;
  const cutoff = new Date(now.getTime() - vocabularyOf(rulebook).recordRetentionDays * DAY_MS).toISOString();
  const postgres = isPostgres(deps.dataSource);
  return inTransaction(deps.dataSource, undefined, async (manager) => {
    if (postgres) {
      const [row] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS claimed', [PURGE_LOCK]);
      if (!row?.claimed) return undefined;
    }
    const parameter = postgres ? '$1' : '?';
    const ended = `SELECT id FROM consent_record WHERE ended_at IS NOT NULL AND ended_at < ${parameter}`;
    await manager.query(`DELETE FROM consent_event WHERE consent_id IN (${ended})`, [cutoff]);
    const result = await manager
      .createQueryBuilder()
      .delete()
      .from(ConsentRecordEntity)
      .where('ended_at IS NOT NULL AND ended_at < :cutoff', { cutoff })
      .execute();
    const deleted = result.affected ?? 0;
    if (deleted > 0) {
      await deps.audit.append(
        {
          kind: 'consent.records.purged',
          actor: 'service',
          subject: null,
          data: { deleted, endedBefore: cutoff },
        },
        manager,
      );
    }
    return deleted;
  });
}

/**
 * Runs expireDue and purgeEnded every `intervalMs` (timer unref'd, runs never overlap in this
 * process) until the returned stop is called.
 */
export function startConsentJobs(options: {
  readonly deps: ConsentDeps;
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
}): () => void {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(async () => {
        const now = options.deps.now();
        await expireDue(options.deps, now);
        await purgeEnded(options.deps, now);
      })
      .catch(options.onError);
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
