import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { reading } from '../db/index.js';
import { GovernanceError } from '../governance/errors.js';
import { MemberEntity, MemberFacetEntity, type MemberRow, type MemberStatus } from './entities.js';
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

/**
 * Replaces the role and side rows of a member (its JSON `roles` and `sides`), in the caller's
 * transaction: the registry's filters read these rows, never the JSON.
 */
export async function writeMemberFacets(manager: EntityManager, row: MemberRow): Promise<void> {
  const facets = manager.getRepository(MemberFacetEntity);
  await facets.delete({ memberDid: row.did });
  const values = (facet: 'role' | 'side', json: string) =>
    [...new Set(JSON.parse(json) as string[])].map((value) => ({ facet, value, memberDid: row.did }));
  const rows = [...values('role', row.roles), ...values('side', row.sides)];
  if (rows.length > 0) await facets.insert(rows);
}

const MEMBER_STATUSES: readonly MemberStatus[] = ['active', 'suspended', 'revoked', 'withdrawn'];
const MEMBER_SIDES: readonly string[] = ['supply', 'demand'];

export interface MemberFilter {
  readonly role?: string;
  readonly side?: string;
  readonly status?: string;
  /** Part of the legal name, any case (the portal's search; at most 200 characters). */
  readonly name?: string;
  /** Page size, 1..100 (default 20). */
  readonly limit?: number;
  /** The last DID of the previous page. */
  readonly after?: string;
}

/** A member as a trusted issuer: the types the rulebook lets its roles issue. */
export interface MemberIssuerRecord {
  readonly did: string;
  readonly name: string;
  readonly credentialTypes: string[];
}

/** Which members an issuer page or count covers. */
export interface IssuerQuery {
  /** DIDs that are never listed as members (the service, trust anchors). */
  readonly exclude: readonly string[];
}

/**
 * `EXISTS` one facet row of `member` with `facet` and one of `values` (an index lookup). The
 * cursor is repeated inside, so that a plan that walks the facet index beside the member index
 * (PostgreSQL's merge join) starts at the cursor too instead of at the first member.
 */
function withFacet(
  query: SelectQueryBuilder<MemberRow>,
  name: string,
  facet: 'role' | 'side',
  values: readonly string[],
  after: string | undefined,
): void {
  const cursor = after === undefined ? '' : ` AND ${name}.member_did > :after`;
  query.andWhere(
    `EXISTS (SELECT 1 FROM member_facet ${name} WHERE ${name}.facet = :${name}Facet AND ${name}.value IN (:...${name}Values) AND ${name}.member_did = member.did${cursor})`,
    { [`${name}Facet`]: facet, [`${name}Values`]: [...values], ...(after === undefined ? {} : { after }) },
  );
}

/** `text` with LIKE's wildcards (and the escape character) escaped by a backslash. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The member registry. Every read is one indexed query that returns at most one page: filters
 * (`status`, `role`, `side`) and the cursor are SQL conditions on `member (status, did)` and
 * `member_facet (facet, value, member_did)`, ordered by DID with a LIMIT; nothing is filtered
 * in memory.
 */
export class MemberRegistry {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: MembershipRules,
  ) {}

  async list(filter: MemberFilter): Promise<{ items: MemberView[]; next?: string }> {
    const limit = filter.limit ?? 20;
    if (filter.name !== undefined && filter.name.length > 200) {
      throw new GovernanceError(400, 'invalid_name_filter', 'name must be at most 200 characters');
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new GovernanceError(400, 'invalid_page_size', 'limit must be between 1 and 100');
    }
    // A filter value that can match nothing is a mistake of the caller, not an empty data space.
    if (filter.status !== undefined && !MEMBER_STATUSES.includes(filter.status as MemberStatus)) {
      throw new GovernanceError(400, 'invalid_filter', `status must be one of ${MEMBER_STATUSES.join(', ')}`);
    }
    if (filter.side !== undefined && !MEMBER_SIDES.includes(filter.side)) {
      throw new GovernanceError(400, 'invalid_filter', `side must be one of ${MEMBER_SIDES.join(', ')}`);
    }
    if (filter.role !== undefined && !(await this.rules.roles()).includes(filter.role)) {
      throw new GovernanceError(
        400,
        'invalid_filter',
        `role ${JSON.stringify(filter.role)} is not a role of the rulebook in force`,
      );
    }
    const rows = await reading(this.dataSource, undefined, async (m) => {
      const query = m.getRepository(MemberEntity).createQueryBuilder('member');
      if (filter.status) query.andWhere('member.status = :status', { status: filter.status });
      if (filter.after) query.andWhere('member.did > :after', { after: filter.after });
      if (filter.name) {
        query.andWhere("LOWER(member.legal_name) LIKE :name ESCAPE '\\'", {
          name: `%${likeEscape(filter.name.toLowerCase())}%`,
        });
      }
      if (filter.role) withFacet(query, 'byRole', 'role', [filter.role], filter.after);
      if (filter.side) withFacet(query, 'bySide', 'side', [filter.side], filter.after);
      // One row beyond the page says whether there is a next one.
      return query
        .orderBy('member.did', 'ASC')
        .limit(limit + 1)
        .getMany();
    });
    const items = rows.slice(0, limit).map(memberView);
    return { items, ...(rows.length > limit ? { next: items.at(-1)?.did as string } : {}) };
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

  /**
   * The active member with exactly this DID as an issuer of the types the rulebook lets its
   * roles issue; undefined when there is none or its roles issue nothing. One primary-key read.
   */
  async issuer(did: string): Promise<MemberIssuerRecord | undefined> {
    const row = await reading(this.dataSource, undefined, (m) =>
      m.getRepository(MemberEntity).findOneBy({ did, status: 'active' }),
    );
    return row ? this.asIssuer(row) : undefined;
  }

  /**
   * Active members whose roles may issue something, in DID order: those after `after`, or
   * from `offset`, at most `limit`. One indexed query returning at most `limit` rows.
   */
  async issuerPage(
    request: IssuerQuery & { readonly after?: string; readonly offset?: number; readonly limit: number },
  ): Promise<MemberIssuerRecord[]> {
    const query = await this.issuerQuery(request, request.after);
    if (!query) return [];
    if (request.after !== undefined) query.andWhere('member.did > :after', { after: request.after });
    const rows = await query
      .orderBy('member.did', 'ASC')
      .offset(request.offset ?? 0)
      .limit(request.limit)
      .getMany();
    const issuers = [];
    for (const row of rows) {
      const issuer = await this.asIssuer(row);
      if (issuer) issuers.push(issuer);
    }
    return issuers;
  }

  /** How many members issuerPage can list. */
  async issuerCount(request: IssuerQuery): Promise<number> {
    const query = await this.issuerQuery(request);
    return query ? query.getCount() : 0;
  }

  private async issuerQuery(
    request: IssuerQuery,
    after?: string,
  ): Promise<SelectQueryBuilder<MemberRow> | undefined> {
    const roles = await this.rules.issuingRoles();
    if (roles.length === 0) return undefined;
    const query = this.dataSource
      .getRepository(MemberEntity)
      .createQueryBuilder('member')
      .where('member.status = :status', { status: 'active' });
    if (request.exclude.length > 0)
      query.andWhere('member.did NOT IN (:...exclude)', { exclude: [...request.exclude] });
    withFacet(query, 'issuing', 'role', roles, after);
    return query;
  }

  private async asIssuer(row: MemberRow): Promise<MemberIssuerRecord | undefined> {
    const types = await this.rules.memberIssuableTypes(JSON.parse(row.roles) as string[]);
    return types.length > 0 ? { did: row.did, name: row.legalName, credentialTypes: [...types] } : undefined;
  }
}
