import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * `credential_issuance`: one row per credential the service issued (no private claims beyond
 * the subject DID and type). `used_nonce`: challenges and nonces already consumed, shared by
 * every replica so a replay is refused wherever it lands.
 */
export class IssuanceAndNonces1795000000020 implements MigrationInterface {
  readonly name = 'IssuanceAndNonces1795000000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'credential_issuance',
        columns: [
          { name: 'id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'type', type: 'varchar', length: '200' },
          { name: 'subject', type: 'varchar', length: '500' },
          { name: 'format', type: 'varchar', length: '16' },
          { name: 'algorithm', type: 'varchar', length: '16' },
          { name: 'issued_at', type: 'varchar', length: '32' },
          { name: 'valid_from', type: 'varchar', length: '32' },
          { name: 'valid_until', type: 'varchar', length: '32', isNullable: true },
          { name: 'status_entries', type: 'text' },
          { name: 'idempotency_key', type: 'varchar', length: '200', isNullable: true, isUnique: true },
          { name: 'request_hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'used_nonce',
        columns: [
          { name: 'scope', type: 'varchar', length: '200', isPrimary: true },
          { name: 'nonce_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'expires_at', type: 'varchar', length: '32' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('used_nonce');
    await queryRunner.dropTable('credential_issuance');
  }
}
