import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The service's OpenID Connect token keys (issue 9): RSA keys that sign ID tokens for relying
 * parties that ask for RS256, kept apart from the DID's keys (they are never in the DID
 * document). Private material lives in the same encrypted key store as the DID's keys.
 */
export class IdentityTokenKeys1795000000111 implements MigrationInterface {
  readonly name = 'IdentityTokenKeys1795000000111';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'identity_token_key',
        columns: [
          { name: 'kid', type: 'varchar', length: '100', isPrimary: true },
          { name: 'did', type: 'varchar', length: '500' },
          { name: 'algorithm', type: 'varchar', length: '16' },
          { name: 'public_jwk', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'retired_at', type: 'varchar', length: '32', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'identity_token_key',
      new TableIndex({ name: 'ix_identity_token_key_did', columnNames: ['did'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('identity_token_key');
  }
}
