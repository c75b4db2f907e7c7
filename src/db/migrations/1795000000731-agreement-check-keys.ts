import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * The answers of recorded checks given under an `Idempotency-Key` (issue 13 review item 3): a
 * connector whose answer was lost asks again with the same key and gets the same answer, and
 * the use is counted once. One row per (caller, key), kept for a day (the sweep deletes it after).
 */
export class AgreementCheckKeys1795000000731 implements MigrationInterface {
  readonly name = 'AgreementCheckKeys1795000000731';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'agreement_check_key',
        columns: [
          { name: 'key_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'agreement_id', type: 'varchar', length: '64' },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'answer', type: 'text' },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'expires_at', type: 'varchar', length: '32' },
        ],
        indices: [{ name: 'ix_agreement_check_key_expires', columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('agreement_check_key');
  }
}
