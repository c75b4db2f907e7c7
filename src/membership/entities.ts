import { EntitySchema } from 'typeorm';

export type ApplicationStatus = 'under_review' | 'action_required' | 'approved' | 'rejected';
export type MemberStatus = 'active' | 'suspended' | 'revoked' | 'withdrawn';

export interface ChallengeRow {
  challengeHash: string;
  expiresAt: string;
}

export interface ApplicationRow {
  id: string;
  applicant: string;
  legalName: string;
  registrationNumber: string;
  country: string;
  /** JSON array of role ids. */
  roles: string;
  /** JSON object; seen by the board, never published. */
  contact: string;
  /** JSON: the evidence credentials' ids, types and issuers (not their claims). */
  evidence: string;
  /** JSON: the admission checks and their outcomes. */
  checks: string;
  status: ApplicationStatus;
  motionId: string | null;
  submittedAt: string;
  decidedAt: string | null;
  /** The applicant DID while the application is open: at most one open application per DID. */
  openKey: string | null;
}

export interface MemberRow {
  did: string;
  legalName: string;
  registrationNumber: string;
  country: string;
  roles: string;
  sides: string;
  status: MemberStatus;
  memberSince: string;
  rulebookVersion: string;
  applicationId: string;
  credentialId: string | null;
  credentialValidUntil: string | null;
  updatedAt: string;
}

const varchar = (length: number, extra: Record<string, unknown> = {}) => ({
  type: 'varchar' as const,
  length,
  ...extra,
});

export const ChallengeEntity = new EntitySchema<ChallengeRow>({
  name: 'MembershipChallenge',
  tableName: 'membership_challenge',
  columns: {
    challengeHash: varchar(64, { name: 'challenge_hash', primary: true }),
    expiresAt: varchar(32, { name: 'expires_at' }),
  },
});

export const ApplicationEntity = new EntitySchema<ApplicationRow>({
  name: 'MembershipApplication',
  tableName: 'membership_application',
  columns: {
    id: varchar(64, { primary: true }),
    applicant: varchar(500),
    legalName: varchar(300, { name: 'legal_name' }),
    registrationNumber: varchar(100, { name: 'registration_number' }),
    country: varchar(2),
    roles: { type: 'text' },
    contact: { type: 'text' },
    evidence: { type: 'text' },
    checks: { type: 'text' },
    status: varchar(24),
    motionId: varchar(64, { name: 'motion_id', nullable: true }),
    submittedAt: varchar(32, { name: 'submitted_at' }),
    decidedAt: varchar(32, { name: 'decided_at', nullable: true }),
    openKey: varchar(500, { name: 'open_key', nullable: true, unique: true }),
  },
});

export const MemberEntity = new EntitySchema<MemberRow>({
  name: 'Member',
  tableName: 'member',
  columns: {
    did: varchar(500, { primary: true }),
    legalName: varchar(300, { name: 'legal_name' }),
    registrationNumber: varchar(100, { name: 'registration_number' }),
    country: varchar(2),
    roles: { type: 'text' },
    sides: { type: 'text' },
    status: varchar(16),
    memberSince: varchar(32, { name: 'member_since' }),
    rulebookVersion: varchar(64, { name: 'rulebook_version' }),
    applicationId: varchar(64, { name: 'application_id' }),
    credentialId: varchar(100, { name: 'credential_id', nullable: true }),
    credentialValidUntil: varchar(32, { name: 'credential_valid_until', nullable: true }),
    updatedAt: varchar(32, { name: 'updated_at' }),
  },
  indices: [{ name: 'member_status_did', columns: ['status', 'did'] }],
});

/** What a member's facet row says: one of its roles, or one of its sides. */
export type MemberFacetKind = 'role' | 'side';

/** One role or side of a member, so that the registry filters and pages in SQL on an index. */
export interface MemberFacetRow {
  facet: MemberFacetKind;
  value: string;
  memberDid: string;
}

export const MemberFacetEntity = new EntitySchema<MemberFacetRow>({
  name: 'MemberFacet',
  tableName: 'member_facet',
  columns: {
    facet: varchar(8, { primary: true }),
    value: varchar(200, { primary: true }),
    memberDid: varchar(500, { name: 'member_did', primary: true }),
  },
  indices: [{ name: 'member_facet_member', columns: ['memberDid'] }],
});

export const MEMBERSHIP_ENTITIES = [ChallengeEntity, ApplicationEntity, MemberEntity, MemberFacetEntity];
