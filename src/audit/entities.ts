import { EntitySchema } from 'typeorm';

/**
 * One entry of the log, as stored. The database refuses UPDATE and DELETE of these rows
 * (triggers of migration AuditLog1795000000050); `prev_hash` is unique, so no two entries can
 * claim the same predecessor.
 */
export interface AuditEntryRow {
  sequence: number;
  at: string;
  kind: string;
  actor: string;
  subject: string | null;
  /** The event data as canonical JSON (RFC 8785). */
  data: string;
  prevHash: string;
  hash: string;
}

/**
 * The single row (id 1) naming the last entry. Appends lock it first, which is what makes
 * them take turns; it only moves forward, one entry at a time (enforced by a trigger).
 */
export interface AuditHeadRow {
  id: number;
  size: number;
  headHash: string;
}

/** A signed checkpoint, the first one issued at each size. Append-only, like the entries. */
export interface AuditCheckpointRow {
  size: number;
  headHash: string;
  at: string;
  /** The compact JWS (`typ: audit-checkpoint+jwt`). */
  signature: string;
}

/** `audit_entry`, mapped as in migration AuditLog1795000000050. */
export const AuditEntryEntity = new EntitySchema<AuditEntryRow>({
  name: 'AuditEntry',
  tableName: 'audit_entry',
  columns: {
    sequence: { type: 'integer', primary: true },
    at: { type: 'varchar', length: 32 },
    kind: { type: 'varchar', length: 100 },
    actor: { type: 'varchar', length: 500 },
    subject: { type: 'varchar', length: 500, nullable: true },
    data: { type: 'text' },
    prevHash: { name: 'prev_hash', type: 'varchar', length: 64 },
    hash: { type: 'varchar', length: 64 },
  },
  indices: [
    { name: 'audit_entry_prev_hash', columns: ['prevHash'], unique: true },
    { name: 'audit_entry_subject', columns: ['subject', 'sequence'] },
  ],
});

/** `audit_head`: one row, id 1. */
export const AuditHeadEntity = new EntitySchema<AuditHeadRow>({
  name: 'AuditHead',
  tableName: 'audit_head',
  columns: {
    id: { type: 'integer', primary: true },
    size: { type: 'integer' },
    headHash: { name: 'head_hash', type: 'varchar', length: 64 },
  },
});

/** `audit_checkpoint`: primary key `size`. */
export const AuditCheckpointEntity = new EntitySchema<AuditCheckpointRow>({
  name: 'AuditCheckpoint',
  tableName: 'audit_checkpoint',
  columns: {
    size: { type: 'integer', primary: true },
    headHash: { name: 'head_hash', type: 'varchar', length: 64 },
    at: { type: 'varchar', length: 32 },
    signature: { type: 'text' },
  },
});

/** Every entity the audit capability needs in the data source. */
export const AUDIT_ENTITIES = [AuditEntryEntity, AuditHeadEntity, AuditCheckpointEntity];
