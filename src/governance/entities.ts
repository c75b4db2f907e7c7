import { EntitySchema } from 'typeorm';
import { BOARD_MOTION_KINDS, type MotionKind } from '../rulebook/index.js';

export type { MotionKind } from '../rulebook/index.js';

/** Motions a board member opens; admissions are opened by applications. */
export const MOTION_KINDS_OPENED_BY_BOARD: readonly MotionKind[] = BOARD_MOTION_KINDS;

export type MotionStatus = 'open' | 'approved' | 'rejected';

export interface BoardMemberRow {
  did: string;
  name: string;
  /** JSON array of DIDs (member organisations) this board member is affiliated with: recused on them. */
  affiliations: string;
  status: 'active' | 'removed';
  addedAt: string;
  addedBy: string;
  removedAt: string | null;
  credentialId: string | null;
}

export interface MotionRow {
  id: string;
  kind: MotionKind;
  subject: string;
  reason: string;
  /** JSON: kind-specific data (application id, board member name, rulebook hash…). */
  payload: string;
  openedBy: string;
  /** The board member's signed JWS or wallet JWT VP that opened it, verbatim (null for admissions). */
  openingStatement: string | null;
  /**
   * For a motion opened through the wallet: the OpenID4VP `transaction_data` item (the motion)
   * whose hash the presentation in `openingStatement` signs (presented-motion.ts); else null.
   */
  openingTransactionData: string | null;
  openedAt: string;
  closesAt: string;
  rulebookVersion: string;
  status: MotionStatus;
  decidedAt: string | null;
  outcomeReason: string | null;
}

export interface VoteRow {
  motionId: string;
  voter: string;
  decision: 'approve' | 'reject';
  reason: string | null;
  jti: string;
  /** The signed vote, verbatim, so anyone can re-verify it (a JWS, or a wallet's JWT VP). */
  statement: string;
  /**
   * For a vote signed through the wallet: the OpenID4VP `transaction_data` item (the vote)
   * whose hash the presentation in `statement` signs (presented-vote.ts); null for a JWS vote.
   */
  transactionData: string | null;
  castAt: string;
}

const varchar = (length: number, extra: Record<string, unknown> = {}) => ({
  type: 'varchar' as const,
  length,
  ...extra,
});

export const BoardMemberEntity = new EntitySchema<BoardMemberRow>({
  name: 'BoardMember',
  tableName: 'board_member',
  columns: {
    did: varchar(500, { primary: true }),
    name: varchar(200),
    affiliations: { type: 'text' },
    status: varchar(16),
    addedAt: varchar(32, { name: 'added_at' }),
    addedBy: varchar(500, { name: 'added_by' }),
    removedAt: varchar(32, { name: 'removed_at', nullable: true }),
    credentialId: varchar(100, { name: 'credential_id', nullable: true }),
  },
});

export const MotionEntity = new EntitySchema<MotionRow>({
  name: 'Motion',
  tableName: 'motion',
  columns: {
    id: varchar(64, { primary: true }),
    kind: varchar(32),
    subject: varchar(500),
    reason: { type: 'text' },
    payload: { type: 'text' },
    openedBy: varchar(500, { name: 'opened_by' }),
    openingStatement: { name: 'opening_statement', type: 'text', nullable: true },
    openingTransactionData: { name: 'opening_transaction_data', type: 'text', nullable: true },
    openedAt: varchar(32, { name: 'opened_at' }),
    closesAt: varchar(32, { name: 'closes_at' }),
    rulebookVersion: varchar(64, { name: 'rulebook_version' }),
    status: varchar(16),
    decidedAt: varchar(32, { name: 'decided_at', nullable: true }),
    outcomeReason: { name: 'outcome_reason', type: 'text', nullable: true },
  },
  indices: [{ name: 'motion_status', columns: ['status'] }],
});

export const VoteEntity = new EntitySchema<VoteRow>({
  name: 'Vote',
  tableName: 'vote',
  columns: {
    motionId: varchar(64, { name: 'motion_id', primary: true }),
    voter: varchar(500, { primary: true }),
    decision: varchar(16),
    reason: { type: 'text', nullable: true },
    jti: varchar(200, { unique: true }),
    statement: { type: 'text' },
    transactionData: { name: 'transaction_data', type: 'text', nullable: true },
    castAt: varchar(32, { name: 'cast_at' }),
  },
});

export const GOVERNANCE_ENTITIES = [BoardMemberEntity, MotionEntity, VoteEntity];
