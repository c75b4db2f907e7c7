import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Bitstring status lists. `status_list`: one row per published list. `status_entry`: one row
 * per index handed out; its primary key (list_id, list_index) is what guarantees that no index
 * is given to two credentials, whatever the number of replicas.
 */
export class StatusLists1795000000010 implements MigrationInterface {
  readonly name = 'StatusLists1795000000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'status_list',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'purpose', type: 'varchar', length: '16' },
          { name: 'sequence', type: 'integer' },
          { name: 'size', type: 'integer' },
          { name: 'allocated', type: 'integer' },
          { name: 'revision', type: 'integer' },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'status_list',
      new TableIndex({
        name: 'status_list_purpose_sequence',
        columnNames: ['purpose', 'sequence'],
        isUnique: true,
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'status_entry',
        columns: [
          { name: 'list_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'list_index', type: 'integer', isPrimary: true },
          { name: 'purpose', type: 'varchar', length: '16' },
          { name: 'credential_id', type: 'varchar', length: '500' },
          { name: 'status', type: 'integer' },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'status_entry',
      new TableIndex({
        name: 'status_entry_credential_purpose',
        columnNames: ['credential_id', 'purpose'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('status_entry');
    await queryRunner.dropTable('status_list');
  }
}
