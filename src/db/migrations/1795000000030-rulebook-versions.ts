import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * `rulebook_version`: every rulebook version the data space has adopted, its canonical JSON
 * and SHA-256. `sequence` orders adoptions; the highest is the current rulebook, and its
 * unique index makes two concurrent adoptions conflict instead of both becoming current.
 */
export class RulebookVersions1795000000030 implements MigrationInterface {
  readonly name = 'RulebookVersions1795000000030';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'rulebook_version',
        columns: [
          { name: 'version', type: 'varchar', length: '64', isPrimary: true },
          { name: 'sequence', type: 'integer' },
          { name: 'hash', type: 'varchar', length: '64' },
          { name: 'content', type: 'text' },
          { name: 'adopted_at', type: 'varchar', length: '32' },
          { name: 'adopted_by', type: 'varchar', length: '200' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'rulebook_version',
      new TableIndex({ name: 'rulebook_version_sequence', columnNames: ['sequence'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('rulebook_version');
  }
}
