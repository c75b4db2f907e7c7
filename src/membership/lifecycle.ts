/**
 * What approved motions do to members, the board and the rulebook, always inside the
 * decision's transaction: the registry row, the status list and the audit log change
 * together or not at all. The trusted-issuer registry reads the member rows, so it changes
 * in the same commit.
 */
import type { EntityManager } from 'typeorm';
import { type CredentialIssuer, DATA_SPACE_CREDENTIAL_FORMAT } from '../credentials/issue/issuer.js';
import type { StatusService } from '../credentials/status/index.js';
import type { Board } from '../governance/board.js';
import { BoardMemberEntity, type MotionKind, type MotionRow } from '../governance/entities.js';
import { GovernanceError } from '../governance/errors.js';
import type { AuditTrail, LoginSessions, MotionEffects } from '../governance/ports.js';
import {
  ApplicationEntity,
  type ApplicationRow,
  MemberEntity,
  type MemberRow,
  type MemberStatus,
} from './entities.js';
import { membershipSubject, writeMemberFacets } from './members.js';
import type { MemberAgreements, MemberEvents, MembershipRules } from './ports.js';

const DAY_MS = 86_400_000;

export interface LifecycleDeps {
  readonly issuer: CredentialIssuer;
  readonly status: StatusService;
  readonly rules: MembershipRules;
  readonly board: Board;
  readonly audit: AuditTrail;
  /** A member that stops being active loses its logins in the same transaction. */
  readonly logins: LoginSessions;
  /** Status changes are announced to connectors (suspended, reinstated, revoked, withdrawn). */
  readonly events?: MemberEvents;
  /** Its data-sharing agreements follow (suspended, reinstated, terminated) in the same transaction. */
  readonly agreements?: MemberAgreements;
  readonly now: () => Date;
}

/** Which member statuses each kind of motion may start from. */
const FROM: Partial<Record<MotionKind, readonly MemberStatus[]>> = {
  suspend: ['active'],
  reinstate: ['suspended'],
  revoke: ['active', 'suspended'],
  renew: ['active'],
};

export class MemberLifecycle implements MotionEffects {
  constructor(private readonly deps: LifecycleDeps) {}

  async validate(
    kind: MotionKind,
    subject: string,
    _payload: Readonly<Record<string, unknown>>,
    manager: EntityManager,
  ) {
    const allowed = FROM[kind];
    if (allowed) {
      const member = await manager.getRepository(MemberEntity).findOneBy({ did: subject });
      if (!member) throw new GovernanceError(404, 'not_found', 'no member has this DID');
      if (!allowed.includes(member.status)) {
        throw new GovernanceError(
          409,
          'invalid_member_status',
          `a ${member.status} member cannot be the subject of ${kind}`,
        );
      }
    }
    if (kind === 'add-board-member') {
      const seat = await manager
        .getRepository(BoardMemberEntity)
        .findOneBy({ did: subject, status: 'active' });
      if (seat) throw new GovernanceError(409, 'already_board_member', 'this DID sits on the board');
    }
    if (kind === 'remove-board-member') {
      const seat = await manager
        .getRepository(BoardMemberEntity)
        .findOneBy({ did: subject, status: 'active' });
      if (!seat) throw new GovernanceError(404, 'not_found', 'no current board member has this DID');
    }
  }

  async apply(motion: MotionRow, outcome: 'approved' | 'rejected', manager: EntityManager): Promise<void> {
    const payload = JSON.parse(motion.payload) as Record<string, unknown>;
    if (motion.kind === 'admit')
      return this.decideAdmission(motion, payload.applicationId as string, outcome, manager);
    if (outcome !== 'approved') return;
    // The subject may have changed since the motion opened (another motion, a withdrawal):
    // the effect applies only from the state it was opened for, or the deciding vote is refused.
    await this.validate(motion.kind, motion.subject, payload, manager);
    switch (motion.kind) {
      case 'suspend':
        return this.transition(motion, 'suspended', manager, (id) => this.deps.status.suspend(id, manager));
      case 'reinstate':
        return this.transition(motion, 'active', manager, (id) => this.deps.status.reinstate(id, manager));
      case 'revoke':
        return this.transition(motion, 'revoked', manager, (id) => this.deps.status.revoke(id, manager));
      case 'renew':
        return this.renew(motion, manager);
      case 'add-board-member':
        await this.deps.board.add(
          {
            did: motion.subject,
            name: String(payload.name),
            affiliations: Array.isArray(payload.affiliations) ? (payload.affiliations as string[]) : [],
            by: motion.id,
          },
          manager,
        );
        return;
      case 'remove-board-member':
        return this.deps.board.remove(motion.subject, motion.id, manager);
      case 'amend-rulebook':
        return this.deps.rules.adoptProposal(motion.subject, String(payload.hash), motion.id, manager);
    }
  }

  /** A member leaves by its own signed statement: status `withdrawn`, credential revoked. */
  async withdraw(did: string, manager: EntityManager): Promise<void> {
    const member = await manager.getRepository(MemberEntity).findOneBy({ did });
    if (!member) throw new GovernanceError(404, 'not_found', 'no member has this DID');
    if (member.status === 'withdrawn' || member.status === 'revoked') {
      throw new GovernanceError(409, 'invalid_member_status', `the membership is already ${member.status}`);
    }
    await this.setStatus(member, 'withdrawn', manager);
    if (member.credentialId) await this.deps.status.revoke(member.credentialId, manager);
    await this.deps.logins.end(did, manager);
    await this.deps.audit.append({ kind: 'member.withdrawn', actor: did, subject: did, data: {} }, manager);
    await this.deps.events?.statusChanged({ did, change: 'withdrawn' }, manager);
    await this.deps.agreements?.partyStatusChanged({ did, change: 'withdrawn' }, manager);
  }

  private async decideAdmission(
    motion: MotionRow,
    applicationId: string,
    outcome: 'approved' | 'rejected',
    manager: EntityManager,
  ) {
    const applications = manager.getRepository(ApplicationEntity);
    const application = (await applications.findOneBy({ id: applicationId })) as ApplicationRow;
    const now = this.deps.now();
    await applications.update(
      { id: applicationId },
      { status: outcome, decidedAt: now.toISOString(), openKey: null },
    );
    if (outcome !== 'approved') return;
    const roles = JSON.parse(application.roles) as string[];
    const row: MemberRow = {
      did: application.applicant,
      legalName: application.legalName,
      registrationNumber: application.registrationNumber,
      country: application.country,
      roles: application.roles,
      sides: JSON.stringify(await this.deps.rules.sidesOf(roles, motion.rulebookVersion)),
      status: 'active',
      memberSince: isoSeconds(now),
      rulebookVersion: motion.rulebookVersion,
      applicationId,
      credentialId: null,
      credentialValidUntil: null,
      updatedAt: now.toISOString(),
    };
    const issued = await this.issueMembership(
      row,
      `membership:${applicationId}`,
      now,
      motion.rulebookVersion,
      manager,
    );
    row.credentialId = issued.id;
    row.credentialValidUntil = issued.validUntil;
    const members = manager.getRepository(MemberEntity);
    if (await members.findOneBy({ did: row.did })) await members.update({ did: row.did }, row);
    else await members.insert(row);
    await writeMemberFacets(manager, row);
    await this.deps.audit.append(
      {
        kind: 'member.admitted',
        actor: 'service',
        subject: row.did,
        data: { motion: motion.id, legalName: row.legalName, roles, credentialId: issued.id },
      },
      manager,
    );
  }

  private async renew(motion: MotionRow, manager: EntityManager) {
    const member = (await manager
      .getRepository(MemberEntity)
      .findOneBy({ did: motion.subject })) as MemberRow;
    const issued = await this.issueMembership(
      member,
      `renewal:${motion.id}`,
      this.deps.now(),
      motion.rulebookVersion,
      manager,
    );
    await manager.getRepository(MemberEntity).update(
      { did: member.did },
      {
        credentialId: issued.id,
        credentialValidUntil: issued.validUntil,
        updatedAt: this.deps.now().toISOString(),
      },
    );
    await this.deps.audit.append(
      {
        kind: 'member.renewed',
        actor: 'service',
        subject: member.did,
        data: { motion: motion.id, credentialId: issued.id },
      },
      manager,
    );
  }

  private async issueMembership(
    row: MemberRow,
    idempotencyKey: string,
    now: Date,
    version: string,
    manager: EntityManager,
  ) {
    const validFrom = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const validUntil = new Date(
      validFrom.getTime() + (await this.deps.rules.credentialValidityDays(version)) * DAY_MS,
    );
    const issued = await this.deps.issuer.issue(
      {
        type: 'MembershipCredential',
        format: DATA_SPACE_CREDENTIAL_FORMAT,
        subject: membershipSubject(row),
        validFrom,
        validUntil,
        idempotencyKey,
      },
      manager,
    );
    return { id: issued.id, validUntil: validUntil.toISOString() };
  }

  private async transition(
    motion: MotionRow,
    status: MemberStatus,
    manager: EntityManager,
    changeCredential: (credentialId: string) => Promise<void>,
  ) {
    const member = (await manager
      .getRepository(MemberEntity)
      .findOneBy({ did: motion.subject })) as MemberRow;
    await this.setStatus(member, status, manager);
    if (member.credentialId) await changeCredential(member.credentialId);
    // Suspended or revoked: its OpenID Connect sessions and grants end with this commit.
    if (status !== 'active') await this.deps.logins.end(member.did, manager);
    await this.deps.audit.append(
      {
        kind: `member.${status}`,
        actor: 'service',
        subject: member.did,
        data: { motion: motion.id, reason: motion.reason },
      },
      manager,
    );
    const change = {
      did: member.did,
      change: status === 'active' ? 'reinstated' : status,
      motion: motion.id,
    } as const;
    await this.deps.events?.statusChanged(change, manager);
    await this.deps.agreements?.partyStatusChanged(change, manager);
  }

  private async setStatus(member: MemberRow, status: MemberStatus, manager: EntityManager) {
    await manager
      .getRepository(MemberEntity)
      .update({ did: member.did }, { status, updatedAt: this.deps.now().toISOString() });
  }
}

const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
