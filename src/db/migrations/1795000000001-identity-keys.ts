import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** The service's published keys: which Veramo key backs which verification method, and its state. */
export class IdentityKeys1795000000001 implements MigrationInterface {
  readonly name = 'IdentityKeys1795000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'identity_key',
        columns: [
          { name: 'kid', type: 'varchar', length: '200', isPrimary: true },
          { name: 'did', type: 'varchar', length: '500' },
          { name: 'fragment', type: 'varchar', length: '100' },
          { name: 'algorithm', type: 'varchar', length: '16' },
          { name: 'public_jwk', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'retired_at', type: 'varchar', length: '32', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'identity_key',
      new TableIndex({ name: 'identity_key_did_fragment', columnNames: ['did', 'fragment'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('identity_key');
  }
}
