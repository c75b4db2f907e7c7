import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Governance and membership: the board, motions and their signed votes, membership
 * challenges, applications and the member registry.
 */
export class Governance1795000000040 implements MigrationInterface {
  readonly name = 'Governance1795000000040';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'board_member',
        columns: [
          { name: 'did', type: 'varchar', length: '500', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'affiliations', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'added_at', type: 'varchar', length: '32' },
          { name: 'added_by', type: 'varchar', length: '500' },
          { name: 'removed_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'credential_id', type: 'varchar', length: '100', isNullable: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'motion',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'subject', type: 'varchar', length: '500' },
          { name: 'reason', type: 'text' },
          { name: 'payload', type: 'text' },
          { name: 'opened_by', type: 'varchar', length: '500' },
          { name: 'opening_statement', type: 'text', isNullable: true },
          { name: 'opened_at', type: 'varchar', length: '32' },
          { name: 'closes_at', type: 'varchar', length: '32' },
          { name: 'rulebook_version', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'decided_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'outcome_reason', type: 'text', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'motion',
      new TableIndex({ name: 'motion_status', columnNames: ['status'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'vote',
        columns: [
          { name: 'motion_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'voter', type: 'varchar', length: '500', isPrimary: true },
          { name: 'decision', type: 'varchar', length: '16' },
          { name: 'reason', type: 'text', isNullable: true },
          { name: 'jti', type: 'varchar', length: '200', isUnique: true },
          { name: 'statement', type: 'text' },
          { name: 'cast_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'membership_challenge',
        columns: [
          { name: 'challenge_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'expires_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'membership_application',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'applicant', type: 'varchar', length: '500' },
          { name: 'legal_name', type: 'varchar', length: '300' },
          { name: 'registration_number', type: 'varchar', length: '100' },
          { name: 'country', type: 'varchar', length: '2' },
          { name: 'roles', type: 'text' },
          { name: 'contact', type: 'text' },
          { name: 'evidence', type: 'text' },
          { name: 'checks', type: 'text' },
          { name: 'status', type: 'varchar', length: '24' },
          { name: 'motion_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'submitted_at', type: 'varchar', length: '32' },
          { name: 'decided_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'open_key', type: 'varchar', length: '500', isNullable: true, isUnique: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'member',
        columns: [
          { name: 'did', type: 'varchar', length: '500', isPrimary: true },
          { name: 'legal_name', type: 'varchar', length: '300' },
          { name: 'registration_number', type: 'varchar', length: '100' },
          { name: 'country', type: 'varchar', length: '2' },
          { name: 'roles', type: 'text' },
          { name: 'sides', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'member_since', type: 'varchar', length: '32' },
          { name: 'rulebook_version', type: 'varchar', length: '64' },
          { name: 'application_id', type: 'varchar', length: '64' },
          { name: 'credential_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'credential_valid_until', type: 'varchar', length: '32', isNullable: true },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'member',
      new TableIndex({ name: 'member_status', columnNames: ['status'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'member',
      'membership_application',
      'membership_challenge',
      'vote',
      'motion',
      'board_member',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
