/**
 * The consent register's tables (migration 1795000000220-consent). Dates are ISO-8601 UTC
 * strings (`toISOString()`: fixed length, so they compare as text); lists are JSON arrays.
 */
import { EntitySchema } from 'typeorm';

export interface NoticeRow {
  /** `notice-<uuid>`. */
  id: string;
  controllerDid: string;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** How a notice version was published. */
export type PublishedVia = 'statement' | 'connector';

export interface NoticeVersionRow {
  noticeId: string;
  version: number;
  /** Lower-case hex SHA-256 of `content`. */
  hash: string;
  /** RFC 8785 canonical JSON of the NoticeContent. */
  content: string;
  publishedAt: string;
  publishedVia: PublishedVia;
  /** SHA-256 of `controller ‖ jti or Idempotency-Key`: a retry answers this version. */
  publicationKey: string | null;
  /** SHA-256 of the canonical publication request, to tell a retry from a conflicting reuse. */
  requestHash: string;
  /** The signed statement verbatim (publication by statement), else null. */
  statement: string | null;
}

/** A consent's state: only `given` permits processing; every other state is final. */
export type ConsentStatus = 'given' | 'withdrawn' | 'expired' | 'superseded';

export interface ConsentRecordRow {
  /** `consent-<uuid>`. */
  id: string;
  noticeId: string;
  noticeVersion: number;
  noticeHash: string;
  controllerDid: string;
  /** The controller's pairwise identifier for the citizen (see pairwise.ts). */
  subjectId: string;
  /** Keyed hash of the citizen's key; null once the citizen erased their account. */
  citizenHash: string | null;
  /** JSON arrays of DPV terms and DIDs. */
  purposes: string;
  dataCategories: string;
  recipients: string;
  legalBasis: string;
  /** JSON CollectionMethod. */
  collectionMethod: string;
  givenAt: string;
  expiresAt: string;
  status: ConsentStatus;
  statusAt: string;
  /** When the consent stopped permitting processing (withdrawn, expired, superseded). */
  endedAt: string | null;
  /** The ConsentReceiptCredential's id (its status entries are in the status lists). */
  receiptId: string;
  /** The receipt JWT, encrypted (see pairwise.ts); null once erased. */
  receiptSealed: string | null;
  /** SHA-256 of the idempotency key, or null. */
  requestKey: string | null;
  requestHash: string;
  /** `noticeId|citizenHash` while given, else null: at most one active consent per notice and citizen. */
  activeKey: string | null;
  /** SHA-256 of the record's ISO/IEC TS 27560 form when given (also in the audit log). */
  recordHash: string;
}

export type ConsentEventKind = 'given' | 'withdrawn' | 'expired' | 'superseded' | 'erased';

export interface ConsentEventRow {
  consentId: string;
  /** 1, 2, ... per consent. */
  seq: number;
  event: ConsentEventKind;
  at: string;
  /** `citizen` or `service`. */
  actor: 'citizen' | 'service';
  /** JSON object: ids only (e.g. `supersededBy`), never personal data. */
  data: string;
  /** The previous event's hash (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 of the canonical `{ consentId, seq, event, at, actor, data, prevHash }`. */
  hash: string;
}

const varchar = (length: number, extra: Record<string, unknown> = {}) => ({
  type: 'varchar' as const,
  length,
  ...extra,
});

export const NoticeEntity = new EntitySchema<NoticeRow>({
  name: 'ConsentNotice',
  tableName: 'consent_notice',
  columns: {
    id: varchar(64, { primary: true }),
    controllerDid: varchar(500, { name: 'controller_did' }),
    latestVersion: { type: 'integer', name: 'latest_version' },
    createdAt: varchar(32, { name: 'created_at' }),
    updatedAt: varchar(32, { name: 'updated_at' }),
  },
  indices: [{ name: 'consent_notice_controller_id', columns: ['controllerDid', 'id'] }],
});

export const NoticeVersionEntity = new EntitySchema<NoticeVersionRow>({
  name: 'ConsentNoticeVersion',
  tableName: 'consent_notice_version',
  columns: {
    noticeId: varchar(64, { name: 'notice_id', primary: true }),
    version: { type: 'integer', primary: true },
    hash: varchar(64),
    content: { type: 'text' },
    publishedAt: varchar(32, { name: 'published_at' }),
    publishedVia: varchar(16, { name: 'published_via' }),
    publicationKey: varchar(64, { name: 'publication_key', nullable: true, unique: true }),
    requestHash: varchar(64, { name: 'request_hash' }),
    statement: { type: 'text', nullable: true },
  },
});

export const ConsentRecordEntity = new EntitySchema<ConsentRecordRow>({
  name: 'ConsentRecord',
  tableName: 'consent_record',
  columns: {
    id: varchar(64, { primary: true }),
    noticeId: varchar(64, { name: 'notice_id' }),
    noticeVersion: { type: 'integer', name: 'notice_version' },
    noticeHash: varchar(64, { name: 'notice_hash' }),
    controllerDid: varchar(500, { name: 'controller_did' }),
    subjectId: varchar(64, { name: 'subject_id' }),
    citizenHash: varchar(64, { name: 'citizen_hash', nullable: true }),
    purposes: { type: 'text' },
    dataCategories: { type: 'text', name: 'data_categories' },
    recipients: { type: 'text' },
    legalBasis: varchar(100, { name: 'legal_basis' }),
    collectionMethod: { type: 'text', name: 'collection_method' },
    givenAt: varchar(32, { name: 'given_at' }),
    expiresAt: varchar(32, { name: 'expires_at' }),
    status: varchar(16),
    statusAt: varchar(32, { name: 'status_at' }),
    endedAt: varchar(32, { name: 'ended_at', nullable: true }),
    receiptId: varchar(100, { name: 'receipt_id' }),
    receiptSealed: { type: 'text', name: 'receipt_sealed', nullable: true },
    requestKey: varchar(64, { name: 'request_key', nullable: true, unique: true }),
    requestHash: varchar(64, { name: 'request_hash' }),
    activeKey: varchar(200, { name: 'active_key', nullable: true, unique: true }),
    recordHash: varchar(64, { name: 'record_hash' }),
  },
  indices: [
    { name: 'consent_record_subject', columns: ['subjectId'] },
    { name: 'consent_record_citizen', columns: ['citizenHash'] },
    { name: 'consent_record_status_expiry', columns: ['status', 'expiresAt'] },
    { name: 'consent_record_ended', columns: ['endedAt'] },
  ],
});

export const ConsentEventEntity = new EntitySchema<ConsentEventRow>({
  name: 'ConsentEvent',
  tableName: 'consent_event',
  columns: {
    consentId: varchar(64, { name: 'consent_id', primary: true }),
    seq: { type: 'integer', primary: true },
    event: varchar(16),
    at: varchar(32),
    actor: varchar(16),
    data: { type: 'text' },
    prevHash: varchar(64, { name: 'prev_hash' }),
    hash: varchar(64),
  },
});

export const CONSENT_ENTITIES = [NoticeEntity, NoticeVersionEntity, ConsentRecordEntity, ConsentEventEntity];
