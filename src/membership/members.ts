import type { DataSource } from 'typeorm';
import { reading } from '../db/index.js';
import { GovernanceError } from '../governance/errors.js';
import { MemberEntity, type MemberRow, type MemberStatus } from './entities.js';
import type { MembershipRules } from './ports.js';

/** The public registry entry: only what the data space publishes about a member. */
export interface MemberView {
  readonly did: string;
  readonly legalName: string;
  readonly country: string;
  readonly roles: readonly string[];
  readonly sides: readonly string[];
  readonly status: MemberStatus;
  readonly memberSince: string;
  readonly rulebookVersion: string;
}

export function memberView(row: MemberRow): MemberView {
  return {
    did: row.did,
    legalName: row.legalName,
    country: row.country,
    roles: JSON.parse(row.roles) as string[],
    sides: JSON.parse(row.sides) as string[],
    status: row.status,
    memberSince: row.memberSince,
    rulebookVersion: row.rulebookVersion,
  };
}

/** The MembershipCredential subject of a member (re-derivable from the registry row). */
export function membershipSubject(row: MemberRow): { id: string } & Record<string, unknown> {
  return {
    id: row.did,
    legalName: row.legalName,
    roles: JSON.parse(row.roles) as string[],
    sides: JSON.parse(row.sides) as string[],
    memberSince: row.memberSince,
    rulebookVersion: row.rulebookVersion,
  };
}

export interface MemberFilter {
  readonly role?: string;
  readonly side?: string;
  readonly status?: string;
  /** Page size, 1..100 (default 20). */
  readonly limit?: number;
  /** The last DID of the previous page. */
  readonly after?: string;
}

export class MemberRegistry {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: MembershipRules,
  ) {}

  async list(filter: MemberFilter): Promise<{ items: MemberView[]; next?: string }> {
    const limit = filter.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new GovernanceError(400, 'invalid_page_size', 'limit must be between 1 and 100');
    }
    const rows = await reading(this.dataSource, undefined, async (m) => {
      const query = m.getRepository(MemberEntity).createQueryBuilder('member').orderBy('member.did', 'ASC');
      if (filter.status) query.andWhere('member.status = :status', { status: filter.status });
      if (filter.after) query.andWhere('member.did > :after', { after: filter.after });
      return query.getMany();
    });
    // Roles and sides are JSON arrays: filtered here, exactly, rather than with LIKE.
    const matching = rows
      .map(memberView)
      .filter(
        (m) =>
          (filter.role ? m.roles.includes(filter.role) : true) &&
          (filter.side ? m.sides.includes(filter.side) : true),
      );
    const items = matching.slice(0, limit);
    return { items, ...(matching.length > limit ? { next: items.at(-1)?.did as string } : {}) };
  }

  async get(did: string): Promise<MemberView> {
    const row = await reading(this.dataSource, undefined, (m) =>
      m.getRepository(MemberEntity).findOneBy({ did }),
    );
    if (!row) throw new GovernanceError(404, 'not_found', 'no member has this DID');
    return memberView(row);
  }

  /** The registry row of `did`, whatever its status, or undefined. */
  async find(did: string): Promise<MemberRow | undefined> {
    const row = await reading(this.dataSource, undefined, (m) =>
      m.getRepository(MemberEntity).findOneBy({ did }),
    );
    return row ?? undefined;
  }

  /** Active members as issuers of the types the rulebook lets their roles issue. */
  async issuers(): Promise<{ did: string; name: string; credentialTypes: string[] }[]> {
    const rows = await reading(this.dataSource, undefined, (m) =>
      m.getRepository(MemberEntity).findBy({ status: 'active' }),
    );
    const issuers = [];
    for (const row of rows) {
      const types = await this.rules.memberIssuableTypes(JSON.parse(row.roles) as string[]);
      if (types.length > 0) issuers.push({ did: row.did, name: row.legalName, credentialTypes: [...types] });
    }
    return issuers;
  }
}
