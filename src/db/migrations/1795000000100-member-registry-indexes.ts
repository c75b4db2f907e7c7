import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The member registry, searchable and pageable in SQL (issue 10 item 7, issue 8 item 2):
 * - `member_facet`: one row per role and per side of a member, keyed (facet, value,
 *   member_did), so "members in role R after DID d, in DID order" is one range of an index;
 *   filled from the JSON arrays of the existing rows;
 * - `member (status, did)` replaces the index on `status` alone, so "active members after DID
 *   d, in DID order" is one range too, and an issuer is looked up by its DID (primary key).
 */
export class MemberRegistryIndexes1795000000100 implements MigrationInterface {
  readonly name = 'MemberRegistryIndexes1795000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'member_facet',
        columns: [
          { name: 'facet', type: 'varchar', length: '8', isPrimary: true },
          { name: 'value', type: 'varchar', length: '200', isPrimary: true },
          { name: 'member_did', type: 'varchar', length: '500', isPrimary: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'member_facet',
      new TableIndex({ name: 'member_facet_member', columnNames: ['member_did'] }),
    );
    const members = (await queryRunner.query('SELECT did, roles, sides FROM member')) as {
      did: string;
      roles: string;
      sides: string;
    }[];
    // Plain SQL with the driver's own placeholders: a migration never depends on today's entities.
    const driver = queryRunner.connection.driver;
    for (const member of members) {
      const rows = [
        ...facetValues(member.roles).map((value) => ({ facet: 'role', value, did: member.did })),
        ...facetValues(member.sides).map((value) => ({ facet: 'side', value, did: member.did })),
      ];
      for (const row of rows) {
        const [sql, parameters] = driver.escapeQueryWithParameters(
          'INSERT INTO member_facet (facet, value, member_did) VALUES (:facet, :value, :did)',
          row,
          {},
        );
        await queryRunner.query(sql, parameters);
      }
    }
    await queryRunner.dropIndex('member', 'member_status');
    await queryRunner.createIndex(
      'member',
      new TableIndex({ name: 'member_status_did', columnNames: ['status', 'did'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('member', 'member_status_did');
    await queryRunner.createIndex(
      'member',
      new TableIndex({ name: 'member_status', columnNames: ['status'] }),
    );
    await queryRunner.dropTable('member_facet');
  }
}

function facetValues(json: string): string[] {
  try {
    const values = JSON.parse(json) as unknown;
    return Array.isArray(values)
      ? [...new Set(values.filter((value): value is string => typeof value === 'string'))]
      : [];
  } catch {
    return [];
  }
}
