import { EntitySchema } from 'typeorm';

export interface IssuanceRow {
  id: string;
  type: string;
  subject: string;
  format: string;
  algorithm: string;
  issuedAt: string;
  validFrom: string;
  validUntil: string | null;
  /** JSON of the credentialStatus entries. */
  statusEntries: string;
  idempotencyKey: string | null;
  /** sha256 of the canonical issuance request, to tell a retry from a conflicting reuse of a key. */
  requestHash: string;
}

export const IssuanceEntity = new EntitySchema<IssuanceRow>({
  name: 'CredentialIssuance',
  tableName: 'credential_issuance',
  columns: {
    id: { type: 'varchar', length: 100, primary: true },
    type: { type: 'varchar', length: 200 },
    subject: { type: 'varchar', length: 500 },
    format: { type: 'varchar', length: 16 },
    algorithm: { type: 'varchar', length: 16 },
    issuedAt: { name: 'issued_at', type: 'varchar', length: 32 },
    validFrom: { name: 'valid_from', type: 'varchar', length: 32 },
    validUntil: { name: 'valid_until', type: 'varchar', length: 32, nullable: true },
    statusEntries: { name: 'status_entries', type: 'text' },
    idempotencyKey: { name: 'idempotency_key', type: 'varchar', length: 200, nullable: true, unique: true },
    requestHash: { name: 'request_hash', type: 'varchar', length: 64 },
  },
});

export interface UsedNonceRow {
  scope: string;
  nonceHash: string;
  expiresAt: string;
}

export const UsedNonceEntity = new EntitySchema<UsedNonceRow>({
  name: 'UsedNonce',
  tableName: 'used_nonce',
  columns: {
    scope: { type: 'varchar', length: 200, primary: true },
    nonceHash: { name: 'nonce_hash', type: 'varchar', length: 64, primary: true },
    expiresAt: { name: 'expires_at', type: 'varchar', length: 32 },
  },
});

export const CREDENTIAL_ENTITIES = [IssuanceEntity, UsedNonceEntity];
