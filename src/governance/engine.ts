import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { TransactionalNonceStore } from '../credentials/nonce-store.js';
import type { KeyLookup } from '../credentials/verify/ports.js';
import { inTransaction, isPostgres, isUniqueViolation, reading } from '../db/index.js';
import { isDid } from '../trust/did-syntax.js';
import { checkSeatableDid } from './board-did.js';
import {
  BoardMemberEntity,
  type BoardMemberRow,
  MOTION_KINDS_OPENED_BY_BOARD,
  MotionEntity,
  type MotionKind,
  type MotionRow,
  VoteEntity,
  type VoteRow,
} from './entities.js';
import { GovernanceError } from './errors.js';
import type { AuditTrail, DecisionRule, GovernanceRules, MotionEffects, TallyResult } from './ports.js';
import { type PresentedMotion, verifyPresentedMotion } from './presented-motion.js';
import { type PresentedVote, verifyPresentedVote } from './presented-vote.js';
import { STATEMENT_MAX_AGE_SECONDS, type VerifiedStatement, verifyStatement } from './signed-statement.js';

export interface GovernanceDeps {
  readonly dataSource: DataSource;
  readonly keys: KeyLookup;
  readonly nonces: TransactionalNonceStore;
  readonly serviceDid: string;
  readonly rules: GovernanceRules;
  readonly audit: AuditTrail;
  readonly effects: MotionEffects;
  /** did:web of `localhost` may be seated on the board only in development. */
  readonly developmentMode?: boolean;
  /** Refuse ES256 signed statements in high-S form (ES256_LOW_S_ONLY); default false: accept both. */
  readonly es256LowSOnly?: boolean;
  readonly now?: () => Date;
}

export interface AdmissionTerms {
  readonly version: string;
  readonly rule: DecisionRule;
}

export interface VoteView {
  readonly voter: string;
  readonly decision: 'approve' | 'reject';
  readonly reason?: string;
  readonly castAt: string;
  /** The signed vote, verbatim: anyone can re-verify it against the voter's DID. */
  readonly statement: string;
  /** A vote signed through the wallet: the `transaction_data` item `statement` (a JWT VP) signs. */
  readonly transactionData?: string;
}

export interface MotionView {
  readonly id: string;
  readonly kind: MotionKind;
  readonly subject: string;
  readonly reason: string;
  readonly status: MotionRow['status'];
  readonly openedBy: string;
  readonly openedAt: string;
  readonly closesAt: string;
  readonly rulebookVersion: string;
  readonly decidedAt?: string;
  readonly outcomeReason?: string;
  readonly tally: { readonly approvals: number; readonly rejections: number };
  readonly votes: readonly VoteView[];
  /** The signed statement that opened it, verbatim (a JWS, or a wallet's JWT VP); none for admissions. */
  readonly openingStatement?: string;
  /** A motion opened through the wallet: the `transaction_data` item `openingStatement` signs. */
  readonly openingTransactionData?: string;
}

const JTI_SCOPE = 'governance-statement';
const DAY_MS = 86_400_000;

/**
 * The one governance engine: motions, signed votes and decisions. A decision is taken exactly
 * once: votes on a motion are serialised on the motion row (SELECT … FOR UPDATE on
 * PostgreSQL; one writer at a time on SQLite), and the decision, its effects and the audit
 * entries commit in the vote's transaction.
 */
export class GovernanceEngine {
  private readonly now: () => Date;

  constructor(private readonly deps: GovernanceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** A board member opens a motion with a signed statement `{ iss, aud, kind, subject, reason, iat, jti }`. */
  async openMotion(token: unknown): Promise<MotionView> {
    const statement = await verifyStatement(token, this.statementOptions());
    return this.open(statement, { statement: token as string, transactionData: null });
  }

  /**
   * A motion signed into a wallet's presentation (presented-motion.ts): the same rules as
   * `openMotion`; the presentation and its item are kept as the opening statement.
   */
  async openPresentedMotion(motion: PresentedMotion): Promise<MotionView> {
    const statement = await verifyPresentedMotion(motion, this.statementOptions());
    return this.open(statement, {
      statement: motion.presentation,
      transactionData: motion.transactionData,
    });
  }

  private async open(
    statement: VerifiedStatement,
    record: { statement: string; transactionData: string | null },
  ): Promise<MotionView> {
    const { payload } = statement;
    const kind = payload.kind as MotionKind;
    if (!MOTION_KINDS_OPENED_BY_BOARD.includes(kind)) {
      throw new GovernanceError(
        400,
        'invalid_motion',
        `kind must be one of ${MOTION_KINDS_OPENED_BY_BOARD.join(', ')}`,
      );
    }
    const subject = payload.subject;
    const reason = payload.reason;
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 500) {
      throw new GovernanceError(400, 'invalid_motion', 'subject must be a DID or a rulebook version');
    }
    if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 2000) {
      throw new GovernanceError(
        400,
        'invalid_motion',
        'a motion states its reason (at most 2000 characters)',
      );
    }
    const extra: Record<string, unknown> = {};
    if (kind === 'add-board-member') {
      if (
        typeof payload.name !== 'string' ||
        payload.name.trim() === '' ||
        payload.name.trim().length > 200
      ) {
        throw new GovernanceError(
          400,
          'invalid_motion',
          'add-board-member needs the name of the new board member (at most 200 characters)',
        );
      }
      checkSeatableDid(subject, {
        developmentMode: this.deps.developmentMode ?? false,
        serviceDid: this.deps.serviceDid,
      });
      if (!(await this.deps.rules.allowsDidMethod(subject, 'board'))) {
        throw new GovernanceError(
          422,
          'did_method_not_allowed',
          'the rulebook does not allow this DID method on the board',
        );
      }
      extra.name = payload.name.trim();
      // The member organisations the new board member is affiliated with (recused on them).
      const affiliations = payload.affiliations ?? [];
      if (
        !Array.isArray(affiliations) ||
        affiliations.length > 20 ||
        !affiliations.every((did) => isDid(did) && did.length <= 500)
      ) {
        throw new GovernanceError(400, 'invalid_motion', 'affiliations must be an array of at most 20 DIDs');
      }
      extra.affiliations = affiliations;
    }
    if (kind === 'amend-rulebook') {
      const proposal = await this.deps.rules.proposal(subject);
      if (!proposal) {
        throw new GovernanceError(
          422,
          'unknown_rulebook_version',
          `no proposed rulebook ${subject} waits for adoption`,
        );
      }
      extra.hash = proposal.hash;
    }
    const version = await this.deps.rules.currentVersion();
    const rule = await this.deps.rules.rule(version, kind);
    return this.guardJti(() =>
      inTransaction(this.deps.dataSource, undefined, async (manager) => {
        await this.requireBoardMember(manager, statement.signer);
        await this.spendJti(manager, statement.jti);
        await this.refuseDuplicate(manager, kind, subject);
        await this.deps.effects.validate(kind, subject, extra, manager);
        const motion = await this.insertMotion(manager, {
          kind,
          subject,
          reason: reason.trim(),
          payload: extra,
          openedBy: statement.signer,
          openingStatement: record.statement,
          openingTransactionData: record.transactionData,
          rulebookVersion: version,
          votingPeriodDays: rule.votingPeriodDays,
        });
        return this.view(manager, motion);
      }),
    );
  }

  /**
   * The rulebook version and rule an admission opened now is decided under. Read before the
   * application's transaction: nothing inside it may need a second connection.
   */
  async admissionTerms(): Promise<AdmissionTerms> {
    const version = await this.deps.rules.currentVersion();
    return { version, rule: await this.deps.rules.rule(version, 'admit') };
  }

  /** Opens the admission motion of an application, inside the application's transaction. */
  async openAdmission(
    manager: EntityManager,
    application: { id: string; applicant: string; legalName: string },
    terms: AdmissionTerms,
  ): Promise<MotionRow> {
    const { version, rule } = terms;
    return this.insertMotion(manager, {
      kind: 'admit',
      subject: application.applicant,
      reason: `admission of ${application.legalName}`,
      payload: { applicationId: application.id },
      openedBy: this.deps.serviceDid,
      openingStatement: null,
      openingTransactionData: null,
      rulebookVersion: version,
      votingPeriodDays: rule.votingPeriodDays,
    });
  }

  /** A board member votes with `{ iss, aud, motion, decision, reason?, iat, jti }`. */
  async castVote(motionId: string, token: unknown): Promise<MotionView> {
    const statement = await verifyStatement(token, this.statementOptions());
    return this.cast(motionId, statement, { statement: token as string, transactionData: null });
  }

  /** A vote signed into a wallet's presentation (presented-vote.ts), kept with its item. */
  async castPresentedVote(motionId: string, vote: PresentedVote): Promise<MotionView> {
    const statement = await verifyPresentedVote(vote, this.statementOptions());
    return this.cast(motionId, statement, {
      statement: vote.presentation,
      transactionData: vote.transactionData,
    });
  }

  private async cast(
    motionId: string,
    statement: VerifiedStatement,
    record: { statement: string; transactionData: string | null },
  ): Promise<MotionView> {
    const { payload } = statement;
    if (payload.motion !== motionId) {
      throw new GovernanceError(
        400,
        'motion_mismatch',
        'the vote is for another motion than the one posted to',
      );
    }
    const decision = payload.decision;
    if (decision !== 'approve' && decision !== 'reject') {
      throw new GovernanceError(400, 'invalid_decision', 'decision must be "approve" or "reject"');
    }
    const reason = typeof payload.reason === 'string' ? payload.reason.slice(0, 2000) : null;
    // Everything the decision needs from outside its transaction is read first: inside it,
    // no second connection may be needed (a full pool would deadlock the waiting votes).
    const known = await reading(this.deps.dataSource, undefined, (m) =>
      m.getRepository(MotionEntity).findOneBy({ id: motionId }),
    );
    if (known) await this.deps.rules.rule(known.rulebookVersion, known.kind);
    return this.guardJti(() =>
      inTransaction(this.deps.dataSource, undefined, async (manager) => {
        const motion = await this.lockMotion(manager, motionId);
        if (motion.status !== 'open')
          throw new GovernanceError(409, 'motion_closed', `the motion was ${motion.status}`);
        const now = this.now();
        if (now.getTime() > Date.parse(motion.closesAt)) {
          throw new GovernanceError(409, 'motion_closed', 'the voting period has ended');
        }
        const member = await this.requireBoardMember(manager, statement.signer);
        const rule = await this.deps.rules.rule(motion.rulebookVersion, motion.kind); // cached: read before the transaction
        if (rule.recusal && isRecused(member, motion)) {
          throw new GovernanceError(
            403,
            'recused',
            'a board member affiliated with the subject may not vote on it',
          );
        }
        const votes = manager.getRepository(VoteEntity);
        if (await votes.findOneBy({ motionId, voter: statement.signer })) {
          throw new GovernanceError(409, 'already_voted', 'this board member has voted on this motion');
        }
        await this.spendJti(manager, statement.jti);
        await votes.insert({
          motionId,
          voter: statement.signer,
          decision,
          reason,
          jti: statement.jti,
          statement: record.statement,
          transactionData: record.transactionData,
          castAt: now.toISOString(),
        });
        await this.deps.audit.append(
          {
            kind: 'governance.vote.cast',
            actor: statement.signer,
            subject: motionId,
            data: { decision, jti: statement.jti },
          },
          manager,
        );
        await this.decideIfDue(manager, motion, now);
        return this.view(manager, await this.lockMotion(manager, motionId));
      }),
    );
  }

  async motion(id: string): Promise<MotionView> {
    await this.closeIfExpired(id);
    return reading(this.deps.dataSource, undefined, async (manager) => {
      const motion = await manager.getRepository(MotionEntity).findOneBy({ id });
      if (!motion) throw new GovernanceError(404, 'not_found', 'no motion has this id');
      return this.view(manager, motion);
    });
  }

  async motions(filter: { status?: string; limit?: number } = {}): Promise<MotionView[]> {
    return reading(this.deps.dataSource, undefined, async (manager) => {
      const rows = await manager.getRepository(MotionEntity).find({
        where: filter.status ? { status: filter.status as MotionRow['status'] } : {},
        order: { openedAt: 'DESC', id: 'ASC' },
        take: Math.min(filter.limit ?? 100, 500),
      });
      return Promise.all(rows.map((row) => this.view(manager, row)));
    });
  }

  /**
   * One page of decided motions, the latest decision first: those decided before the cursor
   * (`decidedAt` and `id` of the last motion of the previous page), at most `limit` (1..50).
   * One query ordered on (decided_at, id) with a LIMIT, plus the votes of that page.
   */
  async decidedPage(
    options: { before?: { decidedAt: string; id: string }; limit?: number } = {},
  ): Promise<{ items: MotionView[]; next?: { decidedAt: string; id: string } }> {
    const limit = Math.min(Math.max(options.limit ?? 20, 1), 50);
    return reading(this.deps.dataSource, undefined, async (manager) => {
      const query = manager
        .getRepository(MotionEntity)
        .createQueryBuilder('motion')
        .where('motion.status IN (:...decided)', { decided: ['approved', 'rejected'] });
      if (options.before) {
        query.andWhere('(motion.decidedAt < :at OR (motion.decidedAt = :at AND motion.id < :id))', {
          at: options.before.decidedAt,
          id: options.before.id,
        });
      }
      const rows = await query
        .orderBy('motion.decidedAt', 'DESC')
        .addOrderBy('motion.id', 'DESC')
        .limit(limit + 1)
        .getMany();
      const items = await Promise.all(rows.slice(0, limit).map((row) => this.view(manager, row)));
      const last = items.at(-1);
      return {
        items,
        ...(rows.length > limit && last?.decidedAt
          ? { next: { decidedAt: last.decidedAt, id: last.id } }
          : {}),
      };
    });
  }

  /** Closes a motion whose voting period ended without a decision (rejected), once. */
  async closeIfExpired(id: string): Promise<void> {
    const now = this.now();
    const motion = await reading(this.deps.dataSource, undefined, (m) =>
      m.getRepository(MotionEntity).findOneBy({ id }),
    );
    if (motion?.status !== 'open' || now.getTime() <= Date.parse(motion.closesAt)) return;
    await inTransaction(this.deps.dataSource, undefined, async (manager) => {
      const locked = await this.lockMotion(manager, id);
      if (locked.status === 'open') await this.decideIfDue(manager, locked, now);
    });
  }

  // ---- internals ----

  private statementOptions() {
    return {
      keys: this.deps.keys,
      audience: this.deps.serviceDid,
      now: this.now(),
      es256LowSOnly: this.deps.es256LowSOnly === true,
    };
  }

  private async guardJti<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error))
        throw new GovernanceError(409, 'jti_reused', 'this statement (jti) was used before');
      throw error;
    }
  }

  private async spendJti(manager: EntityManager, jti: string): Promise<void> {
    const expiresAt = new Date(this.now().getTime() + 4 * STATEMENT_MAX_AGE_SECONDS * 1000);
    if (!(await this.deps.nonces.consumeIn(manager, JTI_SCOPE, jti, expiresAt))) {
      throw new GovernanceError(409, 'jti_reused', 'this statement (jti) was used before');
    }
  }

  private async requireBoardMember(manager: EntityManager, did: string): Promise<BoardMemberRow> {
    const member = await manager.getRepository(BoardMemberEntity).findOneBy({ did, status: 'active' });
    if (!member)
      throw new GovernanceError(403, 'not_board_member', 'the signer is not a current board member');
    return member;
  }

  private async refuseDuplicate(manager: EntityManager, kind: MotionKind, subject: string): Promise<void> {
    const open = await manager.getRepository(MotionEntity).findOneBy({ kind, subject, status: 'open' });
    if (open) throw new GovernanceError(409, 'motion_open', `motion ${open.id} on this subject is open`);
  }

  private async lockMotion(manager: EntityManager, id: string): Promise<MotionRow> {
    const motion = await manager.getRepository(MotionEntity).findOne({
      where: { id },
      ...(isPostgres(this.deps.dataSource) ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!motion) throw new GovernanceError(404, 'not_found', 'no motion has this id');
    return motion;
  }

  private async insertMotion(
    manager: EntityManager,
    input: {
      kind: MotionKind;
      subject: string;
      reason: string;
      payload: Record<string, unknown>;
      openedBy: string;
      openingStatement: string | null;
      openingTransactionData: string | null;
      rulebookVersion: string;
      votingPeriodDays: number;
    },
  ): Promise<MotionRow> {
    const now = this.now();
    const row: MotionRow = {
      id: `motion-${randomUUID()}`,
      kind: input.kind,
      subject: input.subject,
      reason: input.reason,
      payload: JSON.stringify(input.payload),
      openedBy: input.openedBy,
      openingStatement: input.openingStatement,
      openingTransactionData: input.openingTransactionData,
      openedAt: now.toISOString(),
      closesAt: new Date(now.getTime() + input.votingPeriodDays * DAY_MS).toISOString(),
      rulebookVersion: input.rulebookVersion,
      status: 'open',
      decidedAt: null,
      outcomeReason: null,
    };
    // The head before the motion: the operator's seat checks for motions under that lock (Board.addFounding).
    await this.deps.audit.lockHead(manager);
    await manager.getRepository(MotionEntity).insert(row);
    await this.deps.audit.append(
      {
        kind: 'governance.motion.opened',
        actor: input.openedBy,
        subject: row.id,
        data: {
          kind: row.kind,
          subject: row.subject,
          reason: row.reason,
          rulebookVersion: row.rulebookVersion,
        },
      },
      manager,
    );
    return row;
  }

  private async decideIfDue(manager: EntityManager, motion: MotionRow, now: Date): Promise<TallyResult> {
    const result = await this.tally(manager, motion, now);
    if (result.outcome === 'open') return result;
    await manager
      .getRepository(MotionEntity)
      .update(
        { id: motion.id, status: 'open' },
        { status: result.outcome, decidedAt: now.toISOString(), outcomeReason: result.reason },
      );
    await this.deps.effects.apply({ ...motion, status: result.outcome }, result.outcome, manager);
    await this.deps.audit.append(
      {
        kind: 'governance.motion.decided',
        actor: 'service',
        subject: motion.id,
        data: {
          kind: motion.kind,
          subject: motion.subject,
          outcome: result.outcome,
          approvals: result.approvals,
          rejections: result.rejections,
          rulebookVersion: motion.rulebookVersion,
        },
      },
      manager,
    );
    return result;
  }

  private async tally(manager: EntityManager, motion: MotionRow, now: Date): Promise<TallyResult> {
    const rule = await this.deps.rules.rule(motion.rulebookVersion, motion.kind);
    const votes = await manager.getRepository(VoteEntity).findBy({ motionId: motion.id });
    const board = await manager.getRepository(BoardMemberEntity).findBy({ status: 'active' });
    const eligible = board.filter((member) => !(rule.recusal && isRecused(member, motion)));
    const eligibleDids = new Set(eligible.map((member) => member.did));
    // Votes of members who left the board or are recused no longer count.
    const counted = votes.filter((vote) => eligibleDids.has(vote.voter));
    return this.deps.rules.tally(rule, counted, {
      eligibleVoters: eligible.length,
      now,
      openedAt: new Date(motion.openedAt),
    });
  }

  private async view(manager: EntityManager, motion: MotionRow): Promise<MotionView> {
    const votes: VoteRow[] = await manager
      .getRepository(VoteEntity)
      .find({ where: { motionId: motion.id }, order: { castAt: 'ASC', voter: 'ASC' } });
    return {
      id: motion.id,
      kind: motion.kind,
      subject: motion.subject,
      reason: motion.reason,
      status: motion.status,
      openedBy: motion.openedBy,
      openedAt: motion.openedAt,
      closesAt: motion.closesAt,
      rulebookVersion: motion.rulebookVersion,
      ...(motion.decidedAt ? { decidedAt: motion.decidedAt } : {}),
      ...(motion.outcomeReason ? { outcomeReason: motion.outcomeReason } : {}),
      tally: {
        approvals: votes.filter((v) => v.decision === 'approve').length,
        rejections: votes.filter((v) => v.decision === 'reject').length,
      },
      votes: votes.map((vote) => ({
        voter: vote.voter,
        decision: vote.decision,
        ...(vote.reason ? { reason: vote.reason } : {}),
        castAt: vote.castAt,
        statement: vote.statement,
        ...(vote.transactionData ? { transactionData: vote.transactionData } : {}),
      })),
      ...(motion.openingStatement ? { openingStatement: motion.openingStatement } : {}),
      ...(motion.openingTransactionData ? { openingTransactionData: motion.openingTransactionData } : {}),
    };
  }
}

/** Recusal: a board member affiliated with the motion's subject (a member DID) may not vote on it. */
export function isRecused(member: BoardMemberRow, motion: MotionRow): boolean {
  const affiliations = JSON.parse(member.affiliations) as string[];
  return affiliations.includes(motion.subject) || member.did === motion.subject;
}
