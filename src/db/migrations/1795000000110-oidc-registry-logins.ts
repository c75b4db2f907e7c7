import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Logins that end with the registry (issue 8): every stored OpenID Connect model records the
 * account it belongs to (`oidc_model.account_id`), each account lists the DIDs of the
 * credentials it logged in with (`oidc_account_did`) and which of them the registry keeps
 * (`oidc_account.sources`), so a suspension can end that member's sessions and grants in its own
 * transaction. Bearer tokens are stored under a SHA-256 of their value from now on: rows
 * written before (plaintext keys, no account) are deleted, which logs everyone out once.
 */
export class OidcRegistryLogins1795000000110 implements MigrationInterface {
  readonly name = 'OidcRegistryLogins1795000000110';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM oidc_model');
    await queryRunner.addColumn(
      'oidc_model',
      new TableColumn({ name: 'account_id', type: 'varchar', length: '64', isNullable: true }),
    );
    await queryRunner.createIndex(
      'oidc_model',
      new TableIndex({ name: 'ix_oidc_model_account', columnNames: ['account_id'] }),
    );
    await queryRunner.addColumn(
      'oidc_account',
      new TableColumn({ name: 'sources', type: 'text', isNullable: true }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'oidc_account_did',
        columns: [
          { name: 'account_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'did', type: 'varchar', length: '500', isPrimary: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'oidc_account_did',
      new TableIndex({ name: 'ix_oidc_account_did_did', columnNames: ['did'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('oidc_account_did');
    await queryRunner.dropColumn('oidc_account', 'sources');
    await queryRunner.dropIndex('oidc_model', 'ix_oidc_model_account');
    await queryRunner.dropColumn('oidc_model', 'account_id');
  }
}
