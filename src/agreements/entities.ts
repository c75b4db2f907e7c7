/**
 * The agreement register's tables (migration 1795000000300-agreements). Dates are ISO-8601 UTC
 * strings (`toISOString()`: fixed length, so they compare as text); lists are JSON arrays.
 */
import { EntitySchema } from 'typeorm';

export interface OfferRow {
  /** `offer-<uuid>`. */
  id: string;
  providerDid: string;
  /** The IRI of the dataset or service offered. */
  target: string;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** How an offer version was published. */
export type PublishedVia = 'statement' | 'connector';

export interface OfferVersionRow {
  offerId: string;
  version: number;
  /** Lower-case hex SHA-256 of `policy`. */
  hash: string;
  /** The canonical ODRL Offer (canonicalPolicy: RFC 8785 JSON of its compact JSON-LD). */
  policy: string;
  /** The normalised OdrlPolicy as JSON (what narrows and evaluate read). */
  policyModel: string;
  publishedAt: string;
  publishedVia: PublishedVia;
  /** SHA-256 of `provider ‖ jti or Idempotency-Key`: a retry answers this version. */
  publicationKey: string | null;
  requestHash: string;
  /** The signed statement verbatim (publication by statement), else null. */
  statement: string | null;
}

/**
 * An agreement's state. `proposed` until both parties signed; `active` permits exchanges;
 * `suspended` while a party's membership is suspended; `terminated` and `expired` are final.
 */
export type AgreementStatus = 'proposed' | 'active' | 'suspended' | 'terminated' | 'expired';

/** Where an agreement comes from: an offer here, or a negotiation elsewhere (Dataspace Protocol). */
export type AgreementOrigin = 'offer' | 'registered';

export interface AgreementRow {
  /** `agreement-<uuid>`. */
  id: string;
  origin: AgreementOrigin;
  offerId: string | null;
  offerVersion: number | null;
  providerDid: string;
  consumerDid: string;
  target: string;
  /** The canonical ODRL Agreement (canonicalPolicy: RFC 8785 JSON of its compact JSON-LD). */
  policy: string;
  /** The normalised OdrlPolicy as JSON (what the check evaluates). */
  policyModel: string;
  /** RFC 8785 canonical JSON of the AgreementTerms: exactly what is hashed and signed. */
  terms: string;
  /** SHA-256 (hex) of `terms`: what each party signs. */
  hash: string;
  proposedBy: string;
  proposedAt: string;
  endsAt: string | null;
  status: AgreementStatus;
  statusAt: string;
  activatedAt: string | null;
  /** JSON array of the parties whose suspension holds the agreement suspended. */
  suspendedParties: string;
  providerSignature: string | null;
  consumerSignature: string | null;
  /** Who ended it (a party's DID, `service`), with the reason. */
  endedBy: string | null;
  endReason: string | null;
  providerCredentialId: string | null;
  consumerCredentialId: string | null;
  /** The DataSharingAgreementCredential JWTs (one per party). */
  providerCredential: string | null;
  consumerCredential: string | null;
  /** Permitted uses recorded by the check (`count` constraints). */
  uses: number;
  /** SHA-256 of `proposer ‖ Idempotency-Key`, or null. */
  requestKey: string | null;
  requestHash: string;
}

const varchar = (length: number, extra: Record<string, unknown> = {}) => ({
  type: 'varchar' as const,
  length,
  ...extra,
});

export const OfferEntity = new EntitySchema<OfferRow>({
  name: 'AgreementOffer',
  tableName: 'agreement_offer',
  columns: {
    id: varchar(64, { primary: true }),
    providerDid: varchar(500, { name: 'provider_did' }),
    target: varchar(500),
    latestVersion: { type: 'integer', name: 'latest_version' },
    createdAt: varchar(32, { name: 'created_at' }),
    updatedAt: varchar(32, { name: 'updated_at' }),
  },
  indices: [
    { name: 'agreement_offer_provider_id', columns: ['providerDid', 'id'] },
    { name: 'agreement_offer_target_id', columns: ['target', 'id'] },
  ],
});

export const OfferVersionEntity = new EntitySchema<OfferVersionRow>({
  name: 'AgreementOfferVersion',
  tableName: 'agreement_offer_version',
  columns: {
    offerId: varchar(64, { name: 'offer_id', primary: true }),
    version: { type: 'integer', primary: true },
    hash: varchar(64),
    policy: { type: 'text' },
    policyModel: { type: 'text', name: 'policy_model' },
    publishedAt: varchar(32, { name: 'published_at' }),
    publishedVia: varchar(16, { name: 'published_via' }),
    publicationKey: varchar(64, { name: 'publication_key', nullable: true, unique: true }),
    requestHash: varchar(64, { name: 'request_hash' }),
    statement: { type: 'text', nullable: true },
  },
});

export const AgreementEntity = new EntitySchema<AgreementRow>({
  name: 'Agreement',
  tableName: 'agreement',
  columns: {
    id: varchar(64, { primary: true }),
    origin: varchar(16),
    offerId: varchar(64, { name: 'offer_id', nullable: true }),
    offerVersion: { type: 'integer', name: 'offer_version', nullable: true },
    providerDid: varchar(500, { name: 'provider_did' }),
    consumerDid: varchar(500, { name: 'consumer_did' }),
    target: varchar(500),
    policy: { type: 'text' },
    policyModel: { type: 'text', name: 'policy_model' },
    terms: { type: 'text' },
    hash: varchar(64),
    proposedBy: varchar(500, { name: 'proposed_by' }),
    proposedAt: varchar(32, { name: 'proposed_at' }),
    endsAt: varchar(32, { name: 'ends_at', nullable: true }),
    status: varchar(16),
    statusAt: varchar(32, { name: 'status_at' }),
    activatedAt: varchar(32, { name: 'activated_at', nullable: true }),
    suspendedParties: { type: 'text', name: 'suspended_parties' },
    providerSignature: { type: 'text', name: 'provider_signature', nullable: true },
    consumerSignature: { type: 'text', name: 'consumer_signature', nullable: true },
    endedBy: varchar(500, { name: 'ended_by', nullable: true }),
    endReason: varchar(2000, { name: 'end_reason', nullable: true }),
    providerCredentialId: varchar(100, { name: 'provider_credential_id', nullable: true }),
    consumerCredentialId: varchar(100, { name: 'consumer_credential_id', nullable: true }),
    providerCredential: { type: 'text', name: 'provider_credential', nullable: true },
    consumerCredential: { type: 'text', name: 'consumer_credential', nullable: true },
    uses: { type: 'integer', default: 0 },
    requestKey: varchar(64, { name: 'request_key', nullable: true, unique: true }),
    requestHash: varchar(64, { name: 'request_hash' }),
  },
  indices: [
    { name: 'agreement_parties_target', columns: ['providerDid', 'consumerDid', 'target'] },
    { name: 'agreement_consumer', columns: ['consumerDid'] },
    { name: 'agreement_status_ends', columns: ['status', 'endsAt'] },
  ],
});

/** A recorded check's answer under an Idempotency-Key (migration 1795000000731). */
export interface CheckKeyRow {
  /** SHA-256 (hex) of `caller ‖ Idempotency-Key`. */
  keyHash: string;
  agreementId: string;
  /** SHA-256 (hex) of the question's canonical JSON: the same key for another question is refused. */
  requestHash: string;
  /** The answer given, as JSON. */
  answer: string;
  createdAt: string;
  expiresAt: string;
}

export const CheckKeyEntity = new EntitySchema<CheckKeyRow>({
  name: 'AgreementCheckKey',
  tableName: 'agreement_check_key',
  columns: {
    keyHash: varchar(64, { name: 'key_hash', primary: true }),
    agreementId: varchar(64, { name: 'agreement_id' }),
    requestHash: varchar(64, { name: 'request_hash' }),
    answer: { type: 'text' },
    createdAt: varchar(32, { name: 'created_at' }),
    expiresAt: varchar(32, { name: 'expires_at' }),
  },
  // The sweep deletes expired keys by this index (migration 1795000000731).
  indices: [{ name: 'ix_agreement_check_key_expires', columns: ['expiresAt'] }],
});

export const AGREEMENT_ENTITIES = [OfferEntity, OfferVersionEntity, AgreementEntity, CheckKeyEntity];

/** The register's tables whose expired rows the service's sweep deletes. */
export const AGREEMENT_SWEEP_TARGETS = [
  { table: 'agreement_check_key', column: 'expires_at', format: 'iso' as const },
];
