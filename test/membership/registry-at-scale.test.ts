/**
 * The member registry and the trusted-issuer registry with 10,000 members (issue 10 item 7,
 * issue 8 item 2): every read is one page or one row of an index, whatever the registry's
 * size. Asserted on what the database does, not on time: the SQL the service issues is
 * recorded, run again to count the rows it returns, and explained (SQLite: no table scan and
 * no sort; PostgreSQL: EXPLAIN ANALYZE's rows actually read from the member tables).
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import type { DataSource, Logger } from 'typeorm';
import { MemberEntity, MemberFacetEntity } from '../../src/membership/entities.js';
import type { Service } from '../../src/service.js';
import { anchorsDirectory } from '../credentials/verify/support.js';
import { type DatabaseKind, describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

const MEMBERS = 10_000;
const ROLES = [
  ['data-provider', ['supply']],
  ['data-consumer', ['demand']],
  ['service-provider', ['supply']],
  ['public-authority', ['supply', 'demand']],
] as const;
const didOf = (i: number) => `did:web:m${String(i).padStart(5, '0')}.example`;

interface Recorded {
  readonly sql: string;
  readonly parameters: unknown[];
}

/** A TypeORM logger that keeps every query touching the member tables. */
function recorder(): { logger: Logger; take(): Recorded[] } {
  let queries: Recorded[] = [];
  const ignore = () => {};
  return {
    logger: {
      logQuery(sql, parameters) {
        if (/\bmember(_facet)?\b/.test(sql)) queries.push({ sql, parameters: [...(parameters ?? [])] });
      },
      logQueryError: ignore,
      logQuerySlow: ignore,
      logSchemaBuild: ignore,
      logMigration: ignore,
      log: ignore,
    },
    take() {
      const taken = queries;
      queries = [];
      return taken;
    },
  };
}

async function seed(dataSource: DataSource): Promise<void> {
  const members = [];
  const facets = [];
  for (let i = 0; i < MEMBERS; i++) {
    const [role, sides] = ROLES[i % ROLES.length] as (typeof ROLES)[number];
    const did = didOf(i);
    members.push({
      did,
      legalName: `Member ${i}`,
      registrationNumber: `HRB ${i}`,
      country: 'DE',
      roles: JSON.stringify([role]),
      sides: JSON.stringify(sides),
      status: i % 10 === 9 ? 'suspended' : 'active',
      memberSince: '2026-01-01T00:00:00Z',
      rulebookVersion: '1.0.0',
      applicationId: `application-${i}`,
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    facets.push({ facet: 'role', value: role, memberDid: did });
    for (const side of sides) facets.push({ facet: 'side', value: side, memberDid: did });
  }
  for (const [table, rows] of [
    [MemberEntity, members],
    [MemberFacetEntity, facets],
  ] as const) {
    for (let start = 0; start < rows.length; start += 500) {
      await dataSource
        .createQueryBuilder()
        .insert()
        .into(table as typeof MemberEntity)
        .values(rows.slice(start, start + 500) as never)
        .execute();
    }
  }
}

/** The rows the member tables give up for one query: the query re-run, and its plan. */
async function examine(
  dataSource: DataSource,
  kind: DatabaseKind,
  query: Recorded,
): Promise<{ returned: number; read?: number; plan: string }> {
  const returned = ((await dataSource.query(query.sql, query.parameters)) as unknown[]).length;
  if (kind === 'sqlite') {
    const plan = (await dataSource.query(`EXPLAIN QUERY PLAN ${query.sql}`, query.parameters)) as {
      detail: string;
    }[];
    return { returned, plan: plan.map((row) => row.detail).join('\n') };
  }
  const [row] = (await dataSource.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}`, query.parameters)) as {
    'QUERY PLAN': unknown;
  }[];
  const root = ((row as { 'QUERY PLAN': unknown })['QUERY PLAN'] as { Plan: PlanNode }[])[0]
    ?.Plan as PlanNode;
  let read = 0;
  const lines: string[] = [];
  const walk = (node: PlanNode, depth: number) => {
    lines.push(
      `${'  '.repeat(depth)}${node['Node Type']} ${node['Relation Name'] ?? ''} rows=${node['Actual Rows']}x${node['Actual Loops']}`,
    );
    if (node['Relation Name'] === 'member' || node['Relation Name'] === 'member_facet')
      read += node['Actual Rows'] * node['Actual Loops'];
    for (const child of node.Plans ?? []) walk(child, depth + 1);
  };
  walk(root, 0);
  return { returned, read, plan: lines.join('\n') };
}

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Actual Rows': number;
  readonly 'Actual Loops': number;
  readonly Plans?: readonly PlanNode[];
}

describeEachDatabase('registries with 10,000 members read one page, never every row', (fresh, kind) => {
  let service: Service;
  const record = recorder();
  // No trust anchors: the service's own entry is the only one before the members.
  const anchors = anchorsDirectory([]);

  before(async function () {
    this.timeout(120_000);
    service = await openTestService(await fresh(), { TRUST_ANCHORS_DIR: anchors.dir });
    await seed(service.dataSource);
    if (kind === 'postgres') await service.dataSource.query('ANALYZE');
    service.dataSource.setOptions({ logging: ['query'], logger: record.logger });
    record.take();
  });
  after(async () => {
    await service?.close();
    anchors.remove();
  });

  /**
   * Runs `call` and checks every member query it issued: at most `rows` rows come back, the
   * plan neither scans a member table whole nor sorts it (SQLite), and at most `readable`
   * rows are read from the member tables (PostgreSQL; by default six per row returned: a
   * filter matching one member in four reads four member rows and one facet row for each),
   * except for the one COUNT of a page total.
   */
  async function assertBounded(
    call: () => Promise<unknown>,
    rows: number,
    readable = 6 * rows + 10,
  ): Promise<Recorded[]> {
    record.take();
    await call();
    const queries = record.take();
    assert.ok(queries.length > 0, 'the call read the member tables');
    for (const query of queries) {
      const { returned, read, plan } = await examine(service.dataSource, kind, query);
      const where = `${query.sql}\n${plan}`;
      assert.ok(returned <= rows, `${returned} rows returned by ${where}`);
      if (kind === 'sqlite') {
        assert.doesNotMatch(plan, /^SCAN (member|member_facet)\b(?! USING)/m, where);
        assert.doesNotMatch(plan, /TEMP B-TREE FOR ORDER BY/, where);
      } else if (!/COUNT\(/i.test(query.sql)) {
        assert.doesNotMatch(plan, /Seq Scan member/, where);
        assert.ok((read ?? 0) <= readable, `${read} rows read by ${where}`);
      }
    }
    return queries;
  }

  describe('GET /api/v1/members', () => {
    const page = (query: Record<string, string>) =>
      request(service.app.callback()).get('/api/v1/members').query(query).expect(200);

    // The last filter matches one member in twenty: reading up to ten rows per row returned is its price.
    for (const [title, query, readable] of [
      ['the first page', {}, undefined],
      ['a page after a cursor in the middle', { after: didOf(5000) }, undefined],
      ['active members', { status: 'active', after: didOf(7000) }, undefined],
      ['members of one role', { role: 'service-provider', after: didOf(2000) }, undefined],
      ['members on one side', { side: 'demand' }, undefined],
      ['suspended members of one role', { role: 'data-consumer', status: 'suspended' }, 10 * 21],
    ] as const) {
      it(`filters and pages in SQL: ${title}`, async () => {
        let body: {
          items: { did: string; roles: string[]; sides: string[]; status: string }[];
          next?: string;
        } = {
          items: [],
        };
        await assertBounded(
          async () => {
            body = (await page({ limit: '20', ...query })).body;
          },
          21,
          readable,
        );
        assert.equal(body.items.length, 20);
        assert.equal(body.next, body.items.at(-1)?.did);
        for (const item of body.items) {
          if ('role' in query) assert.ok(item.roles.includes(query.role));
          if ('side' in query) assert.ok(item.sides.includes(query.side));
          if ('status' in query) assert.equal(item.status, query.status);
          if ('after' in query) assert.ok(item.did > query.after);
        }
        const dids = body.items.map((item) => item.did);
        assert.deepEqual(dids, [...dids].sort());
      });
    }

    it('walks a filter to its end without gaps: every suspended data consumer once', async () => {
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const body = (
          await page({
            role: 'data-consumer',
            status: 'suspended',
            limit: '100',
            ...(after ? { after } : {}),
          })
        ).body as { items: { did: string }[]; next?: string };
        seen.push(...body.items.map((item) => item.did));
        after = body.next;
      } while (after);
      const expected = Array.from({ length: MEMBERS }, (_, i) => i)
        .filter((i) => i % 4 === 1 && i % 10 === 9)
        .map(didOf);
      assert.deepEqual(seen, expected);
    });
  });

  describe('the trusted-issuer lookup (issue 8 item 2)', () => {
    it('looks an unknown issuer up by its DID: one row at most, never the list of members', async () => {
      const queries = await assertBounded(
        () =>
          service.credentials.trust.check({
            issuer: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
            types: ['VerifiableCredential', 'DataProductCredential'],
            credential: {},
            at: new Date(),
          }),
        1,
      );
      assert.equal(queries.length, 1);
    });

    it('trusts an active member for the types its role issues, and not a suspended one', async () => {
      const check = (did: string, type: string) =>
        service.credentials.trust.check({
          issuer: did,
          types: ['VerifiableCredential', type],
          credential: {},
          at: new Date(),
        });
      // m00002 is an active service provider; m00019 a suspended public authority.
      await assertBounded(
        async () => assert.equal((await check(didOf(2), 'ServiceOfferingCredential')).trusted, true),
        1,
      );
      assert.equal((await check(didOf(3), 'DataProductCredential')).trusted, true);
      const suspended = await check(didOf(19), 'DataProductCredential');
      assert.deepEqual(suspended.trusted ? 'trusted' : suspended.code, 'untrusted_issuer');
    });
  });

  describe('trusted-issuer lists', () => {
    it('GET /api/v1/trusted-issuers reads one page of members (and counts them once)', async () => {
      let body: { items: { did: string }[]; total: number; next?: string } = { items: [], total: 0 };
      await assertBounded(async () => {
        body = (
          await request(service.app.callback())
            .get('/api/v1/trusted-issuers')
            .query({ limit: '50', after: didOf(4000) })
            .expect(200)
        ).body;
      }, 51);
      assert.equal(body.items.length, 50);
      // Members in roles that issue something: all but data-consumer, and only active ones.
      const issuing = Array.from({ length: MEMBERS }, (_, i) => i).filter((i) => i % 4 !== 1 && i % 10 !== 9);
      assert.equal(body.total, issuing.length + 1);
      assert.deepEqual(
        body.items.map((item) => item.did),
        issuing
          .map(didOf)
          .filter((did) => did > didOf(4000))
          .slice(0, 50),
      );
    });

    it('GET /v4/issuers builds only the page it returns (EBSI TIR v4 paging)', async () => {
      let body: { items: { did: string }[]; total: number; pageSize: number; links: Record<string, string> } =
        {
          items: [],
          total: 0,
          pageSize: 0,
          links: {},
        };
      await assertBounded(async () => {
        body = (
          await request(service.app.callback()).get('/v4/issuers?page[after]=3&page[size]=10').expect(200)
        ).body;
      }, 10);
      const issuing = Array.from({ length: MEMBERS }, (_, i) => i).filter((i) => i % 4 !== 1 && i % 10 !== 9);
      assert.equal(body.total, issuing.length + 1);
      assert.equal(body.pageSize, 10);
      // Page 3 of 10: the service is item 1 of page 1, so page 3 holds members 19 to 28.
      assert.deepEqual(
        body.items.map((item) => item.did),
        issuing.slice(19, 29).map(didOf),
      );
      assert.match(
        body.links.last as string,
        new RegExp(`page\\[after\\]=${Math.ceil((issuing.length + 1) / 10)}&`),
      );
    });
  });
});
