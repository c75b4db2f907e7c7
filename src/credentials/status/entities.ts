import { EntitySchema } from 'typeorm';

/**
 * The status purposes this service issues entries for: Bitstring Status List §2.1
 * (`revocation`, `suspension`, one bit each) and `token`, an entry of a Token Status List
 * (SD-JWT VCs: 2 bits, 0 VALID, 1 INVALID, 2 SUSPENDED).
 */
export type StatusPurpose = 'revocation' | 'suspension' | 'token';

export const TOKEN_PURPOSE = 'token' as const;

/** The Bitstring purposes (every credential with Bitstring status holds one entry of each). */
export const STATUS_PURPOSES: readonly StatusPurpose[] = ['revocation', 'suspension'];

/** One published status list: one purpose, a fixed size, and how many of its indexes are taken. */
export interface StatusListRow {
  /** URL-safe random id, the last segment of `/status/{id}`. */
  id: string;
  purpose: StatusPurpose;
  /** 1, 2, 3... per purpose; unique, so two replicas opening "the next list" at once make one. */
  sequence: number;
  /** Entries (bits) in the list. */
  size: number;
  /** Indexes handed out so far. */
  allocated: number;
  /** Bumped by every status change, so each replica can tell that its signed copy is stale. */
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** One index of a list, handed out to one credential for one purpose. */
export interface StatusEntryRow {
  listId: string;
  listIndex: number;
  /** Copied from the list: a credential has at most one entry per purpose. */
  purpose: StatusPurpose;
  credentialId: string;
  /** The status bit: 1 = revoked / suspended; for `token` the value 0, 1 (INVALID) or 2 (SUSPENDED). */
  status: number;
  /** For `token` entries: the credential whose status this entry follows (its revocation, suspension). */
  follows?: string | null;
  createdAt: string;
  updatedAt: string;
}

export const StatusListEntity = new EntitySchema<StatusListRow>({
  name: 'StatusList',
  tableName: 'status_list',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    purpose: { type: 'varchar', length: 16 },
    sequence: { type: 'integer' },
    size: { type: 'integer' },
    allocated: { type: 'integer' },
    revision: { type: 'integer' },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
    updatedAt: { name: 'updated_at', type: 'varchar', length: 32 },
  },
  indices: [{ name: 'status_list_purpose_sequence', columns: ['purpose', 'sequence'], unique: true }],
});

export const StatusEntryEntity = new EntitySchema<StatusEntryRow>({
  name: 'StatusEntry',
  tableName: 'status_entry',
  columns: {
    // The primary key (list_id, list_index) is the uniqueness that makes an index never be handed out twice.
    listId: { name: 'list_id', type: 'varchar', length: 64, primary: true },
    listIndex: { name: 'list_index', type: 'integer', primary: true },
    purpose: { type: 'varchar', length: 16 },
    credentialId: { name: 'credential_id', type: 'varchar', length: 500 },
    status: { type: 'integer' },
    follows: { type: 'varchar', length: 500, nullable: true },
    createdAt: { name: 'created_at', type: 'varchar', length: 32 },
    updatedAt: { name: 'updated_at', type: 'varchar', length: 32 },
  },
  indices: [
    { name: 'status_entry_credential_purpose', columns: ['credentialId', 'purpose'], unique: true },
    { name: 'status_entry_follows', columns: ['follows'] },
  ],
});

/** Every entity the status-list capability needs in the data source. */
export const STATUS_ENTITIES = [StatusListEntity, StatusEntryEntity];
