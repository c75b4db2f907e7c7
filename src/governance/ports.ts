/**
 * What the governance engine needs from the rulebook, the audit log and the capabilities its
 * decisions act on. Each decision's effects run inside the decision's own transaction.
 */
import type { EntityManager } from 'typeorm';
import type { MotionKind, MotionRow } from './entities.js';

export interface DecisionRule {
  readonly minApprovals: number;
  readonly majorityOfVotesCast: boolean;
  readonly votingPeriodDays: number;
  readonly recusal: boolean;
}

export interface TallyResult {
  readonly outcome: 'approved' | 'rejected' | 'open';
  readonly approvals: number;
  readonly rejections: number;
  readonly reason: string;
}

export interface GovernanceRules {
  /** The version new motions are decided under. */
  currentVersion(): Promise<string>;
  /** The decision rule of a kind of motion under an adopted rulebook version. */
  rule(version: string, kind: MotionKind): Promise<DecisionRule>;
  tally(
    rule: DecisionRule,
    votes: readonly { decision: 'approve' | 'reject' }[],
    context: { eligibleVoters: number; now: Date; openedAt: Date },
  ): TallyResult;
  /** May a DID of this method sit on the board (or be a member)? */
  allowsDidMethod(did: string, who: 'members' | 'board'): Promise<boolean>;
  /** A rulebook version proposed in RULEBOOK_DIR and not yet adopted, with its hash. */
  proposal(version: string): Promise<{ version: string; hash: string } | undefined>;
}

export interface AuditEvent {
  readonly kind: string;
  readonly actor: string;
  readonly subject: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface AuditTrail {
  append(event: AuditEvent, manager: EntityManager): Promise<void>;
  /**
   * Takes the audit log's head lock in the caller's transaction now (it is the first lock of
   * every transaction that appends: docs/governance.md "The board"). Opening a motion and the
   * operator's seat take it before they read or write anything else, so the two serialise.
   */
  lockHead(manager: EntityManager): Promise<void>;
}

/**
 * The logins (OpenID Connect sessions, grants, codes and tokens) that rest on a DID's membership
 * or board seat. Implemented by the OpenID Connect capability and wired by the composition root,
 * so neither governance nor membership imports it.
 */
export interface LoginSessions {
  /** Ends every login made with `did`, in the caller's transaction (it commits or rolls back with it). */
  end(did: string, manager: EntityManager): Promise<unknown>;
}

/** Checks a motion before it opens, and carries out an approved one. */
export interface MotionEffects {
  /** Throws a GovernanceError when the subject does not fit the kind (e.g. suspending a non-member). */
  validate(
    kind: MotionKind,
    subject: string,
    payload: Readonly<Record<string, unknown>>,
    manager: EntityManager,
  ): Promise<void>;
  /** Runs once, in the decision's transaction. */
  apply(motion: MotionRow, outcome: 'approved' | 'rejected', manager: EntityManager): Promise<void>;
}
