import type { DataSource, EntityManager } from 'typeorm';
import { type CredentialIssuer, DATA_SPACE_CREDENTIAL_FORMAT } from '../credentials/issue/issuer.js';
import type { StatusService } from '../credentials/status/index.js';
import { inTransaction, reading } from '../db/index.js';
import { checkSeatableDid } from './board-did.js';
import { BoardMemberEntity, type BoardMemberRow, MotionEntity } from './entities.js';
import { GovernanceError } from './errors.js';
import type { AuditTrail, GovernanceRules, LoginSessions } from './ports.js';

export interface BoardMemberView {
  readonly did: string;
  readonly name: string;
  readonly affiliations: readonly string[];
  readonly status: BoardMemberRow['status'];
  readonly since: string;
  readonly credentialId?: string;
}

export interface BoardDeps {
  readonly dataSource: DataSource;
  readonly issuer: CredentialIssuer;
  readonly status: StatusService;
  readonly rules: GovernanceRules;
  readonly audit: AuditTrail;
  /** A removed board member loses its logins in the same transaction. */
  readonly logins?: LoginSessions;
  /** did:web of `localhost` may sit on the board only in development (PUBLIC_URL on loopback). */
  readonly developmentMode?: boolean;
  /** The service's own DID, which may never hold a seat. */
  readonly serviceDid: string;
  readonly now?: () => Date;
}

/**
 * The credential subject of a seat: what its BoardMemberCredential says. `seat` names the seat
 * held; the board does not number or title its seats, so a seat is named after the person who
 * holds it. The rulebook maps it to the `board_seat` claim, and the `board` login asks for it:
 * without it no credential of a seated member would answer that login.
 */
export function boardMemberSubject(row: Pick<BoardMemberRow, 'did' | 'name' | 'addedAt'>) {
  return { id: row.did, name: row.name, role: 'member', seat: row.name, since: row.addedAt };
}

/**
 * The board: its first members are added by the operator (`dataspace-trust board add`),
 * later ones by motion. Each seat comes with a BoardMemberCredential from the service; a
 * removal revokes it.
 */
export class Board {
  private readonly now: () => Date;

  constructor(private readonly deps: BoardDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * The operator's seat (`dataspace-trust board add`): only while the board is being founded,
   * that is before its first motion was opened (an application opens one). From then on the
   * board is constituted and seats change only by its own `add-board-member` and
   * `remove-board-member` motions: refused `board_constituted` (409), nothing changes.
   *
   * Check and seat are one step: the transaction takes the audit head's lock before it looks
   * for a motion, and opening a motion takes it before inserting one (GovernanceEngine
   * insertMotion). So a seat and a first motion, or two seats at that boundary, on any replicas,
   * serialise on the head: a seat that waited for a motion's commit sees the motion and is
   * refused. (SQLite: every transaction holds the write lock from its start.)
   */
  async addFounding(input: {
    did: string;
    name: string;
    affiliations?: readonly string[];
  }): Promise<{ member: BoardMemberView; credential: string }> {
    checkSeatableDid(input.did, {
      developmentMode: this.deps.developmentMode ?? false,
      serviceDid: this.deps.serviceDid,
    });
    if (!(await this.deps.rules.allowsDidMethod(input.did, 'board'))) {
      throw new GovernanceError(
        422,
        'did_method_not_allowed',
        'the rulebook does not allow this DID method on the board',
      );
    }
    return inTransaction(this.deps.dataSource, undefined, async (m) => {
      await this.deps.audit.lockHead(m);
      if (await m.getRepository(MotionEntity).exists()) {
        throw new GovernanceError(
          409,
          'board_constituted',
          'the board has opened motions: seats are now given and taken only by add-board-member and remove-board-member motions',
        );
      }
      return this.add({ ...input, by: 'operator' }, m);
    });
  }

  async add(
    input: { did: string; name: string; affiliations?: readonly string[]; by: string },
    manager?: EntityManager,
  ): Promise<{ member: BoardMemberView; credential: string }> {
    checkSeatableDid(input.did, {
      developmentMode: this.deps.developmentMode ?? false,
      serviceDid: this.deps.serviceDid,
    });
    // (A seat given by motion was checked when the motion opened: no read inside its transaction.)
    if (!manager && !(await this.deps.rules.allowsDidMethod(input.did, 'board'))) {
      throw new GovernanceError(
        422,
        'did_method_not_allowed',
        'the rulebook does not allow this DID method on the board',
      );
    }
    return inTransaction(this.deps.dataSource, manager, async (m) => {
      const repository = m.getRepository(BoardMemberEntity);
      const existing = await repository.findOneBy({ did: input.did });
      if (existing?.status === 'active')
        throw new GovernanceError(409, 'already_board_member', 'this DID sits on the board');
      const since = this.now().toISOString();
      const issued = await this.deps.issuer.issue(
        {
          type: 'BoardMemberCredential',
          format: DATA_SPACE_CREDENTIAL_FORMAT,
          subject: boardMemberSubject({ did: input.did, name: input.name, addedAt: since }),
        },
        m,
      );
      const row: BoardMemberRow = {
        did: input.did,
        name: input.name,
        affiliations: JSON.stringify(input.affiliations ?? []),
        status: 'active',
        addedAt: since,
        addedBy: input.by,
        removedAt: null,
        credentialId: issued.id,
      };
      if (existing) await repository.update({ did: input.did }, row);
      else await repository.insert(row);
      await this.deps.audit.append(
        {
          kind: 'board.member.added',
          actor: auditActor(input.by),
          subject: input.did,
          data: { by: input.by, name: input.name, credentialId: issued.id },
        },
        m,
      );
      return { member: toView(row), credential: issued.jwt };
    });
  }

  async remove(did: string, by: string, manager: EntityManager): Promise<void> {
    const repository = manager.getRepository(BoardMemberEntity);
    const member = await repository.findOneBy({ did, status: 'active' });
    if (!member) throw new GovernanceError(404, 'not_found', 'no current board member has this DID');
    await repository.update({ did }, { status: 'removed', removedAt: this.now().toISOString() });
    if (member.credentialId) await this.deps.status.revoke(member.credentialId, manager);
    await this.deps.logins?.end(did, manager);
    await this.deps.audit.append(
      { kind: 'board.member.removed', actor: auditActor(by), subject: did, data: { by } },
      manager,
    );
  }

  /** The seat of `did` (active or removed), or undefined. */
  async seat(did: string): Promise<BoardMemberRow | undefined> {
    const row = await reading(this.deps.dataSource, undefined, (m) =>
      m.getRepository(BoardMemberEntity).findOneBy({ did }),
    );
    return row ?? undefined;
  }

  async list(): Promise<BoardMemberView[]> {
    return reading(this.deps.dataSource, undefined, async (m) =>
      (await m.getRepository(BoardMemberEntity).find({ order: { addedAt: 'ASC', did: 'ASC' } })).map(toView),
    );
  }
}

/** The audit actor of an action taken by a DID, the operator, or the service carrying out a motion. */
function auditActor(by: string): string {
  return by.startsWith('did:') || by === 'operator' ? by : 'service';
}

function toView(row: BoardMemberRow): BoardMemberView {
  return {
    did: row.did,
    name: row.name,
    affiliations: JSON.parse(row.affiliations) as string[],
    status: row.status,
    since: row.addedAt,
    ...(row.credentialId ? { credentialId: row.credentialId } : {}),
  };
}
