import type { DataSource } from 'typeorm';
import { type AuditEntry, AuditLog, entryHash, GENESIS_HASH } from '../../src/audit/index.js';
import type { JwtSigner } from '../../src/credentials/sign.js';
import { createDataSource, migrate } from '../../src/db/index.js';
import { ENTITIES } from '../../src/service.js';
import type { TestDatabase } from '../support/databases.js';

export const T0 = Date.parse('2025-06-01T10:00:00.000Z');

/** A clock that moves one second per reading, from T0. */
export function steppingClock(): () => Date {
  let tick = 0;
  return () => new Date(T0 + 1000 * tick++);
}

/** Tests of the log that sign nothing use this signer; checkpoint tests use the service's. */
export const UNUSED_SIGNER: JwtSigner = {
  did: 'did:web:localhost%3A3000',
  sign: () => Promise.reject(new Error('this test signs nothing')),
};

export async function migratedDataSource(database: TestDatabase): Promise<DataSource> {
  const dataSource = createDataSource({ ...database, entities: ENTITIES });
  await dataSource.initialize();
  await migrate(dataSource);
  return dataSource;
}

export function logOn(dataSource: DataSource, pageSize?: number): AuditLog {
  return new AuditLog({
    dataSource,
    signer: UNUSED_SIGNER,
    now: steppingClock(),
    ...(pageSize ? { pageSize } : {}),
  });
}

/** The i-th event of a test log: a board vote, with the fields governance records. */
export function vote(i: number) {
  return {
    kind: 'governance.vote.cast',
    actor: `did:key:z6MkBoardMember${i % 3}`,
    subject: `motion-${Math.ceil(i / 3)}`,
    data: { decision: i % 2 === 0 ? 'approve' : 'reject', motion: `motion-${Math.ceil(i / 3)}`, round: i },
  };
}

export async function appendVotes(log: AuditLog, count: number): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (let i = 1; i <= count; i++) entries.push(await log.append(vote(i)));
  return entries;
}

/** A valid chain of `count` entries built in memory (for the pure verifier). */
export function chainOf(count: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let sequence = 1; sequence <= count; sequence++) {
    const event = vote(sequence);
    const fields = { ...event, sequence, at: new Date(T0 + sequence * 1000).toISOString(), prevHash };
    const hash = entryHash(fields);
    entries.push({ ...fields, hash });
    prevHash = hash;
  }
  return entries;
}

/** Recomputes the hashes and links of `entries` from `from` on, as a forger would. */
export function rehash(entries: AuditEntry[], from = 0): AuditEntry[] {
  const out = entries.slice(0, from);
  let prevHash = from === 0 ? GENESIS_HASH : (entries[from - 1] as AuditEntry).hash;
  for (const entry of entries.slice(from)) {
    const fields = { ...entry, prevHash };
    const hash = entryHash(fields);
    out.push({ ...fields, hash });
    prevHash = hash;
  }
  return out;
}

/**
 * To tamper with a log in a test, first drop the append-only triggers (an attacker with owner
 * rights on the database could do the same); raw SQL then edits, deletes or renumbers rows.
 */
export async function dropAppendOnlyTriggers(dataSource: DataSource): Promise<void> {
  const statements =
    dataSource.options.type === 'postgres'
      ? [
          'DROP TRIGGER audit_entry_append_only ON audit_entry',
          'DROP TRIGGER audit_entry_no_truncate ON audit_entry',
          'DROP TRIGGER audit_checkpoint_append_only ON audit_checkpoint',
          'DROP TRIGGER audit_head_forward_only ON audit_head',
        ]
      : [
          'DROP TRIGGER audit_entry_no_update',
          'DROP TRIGGER audit_entry_no_delete',
          'DROP TRIGGER audit_checkpoint_no_update',
          'DROP TRIGGER audit_head_forward_only',
        ];
  for (const statement of statements) await dataSource.query(statement);
}

/** Swaps the sequence numbers of two stored entries (triggers dropped). */
export async function swapSequences(dataSource: DataSource, a: number, b: number): Promise<void> {
  await dataSource.query(`UPDATE audit_entry SET sequence = -1 WHERE sequence = ${a}`);
  await dataSource.query(`UPDATE audit_entry SET sequence = ${a} WHERE sequence = ${b}`);
  await dataSource.query(`UPDATE audit_entry SET sequence = ${b} WHERE sequence = -1`);
}
