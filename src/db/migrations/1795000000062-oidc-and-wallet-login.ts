import { type MigrationInterface, type QueryRunner, Table, TableIndex, TableUnique } from 'typeorm';

/**
 * The OpenID Connect provider's storage (`oidc_model`: every oidc-provider model; `oidc_client`:
 * operator-registered relying parties; `oidc_account`: wallet-login accounts keyed on the
 * credential's issuer and subject) and the wallet login's transactions (`oid4vp_transaction`).
 */
export class OidcAndWalletLogin1795000000062 implements MigrationInterface {
  readonly name = 'OidcAndWalletLogin1795000000062';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'oidc_model',
        columns: [
          { name: 'model', type: 'varchar', length: '64', isPrimary: true },
          { name: 'id', type: 'varchar', length: '255', isPrimary: true },
          { name: 'payload', type: 'text' },
          { name: 'grant_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'uid', type: 'varchar', length: '255', isNullable: true },
          { name: 'user_code', type: 'varchar', length: '255', isNullable: true },
          { name: 'expires_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'consumed_at', type: 'varchar', length: '32', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'oidc_model',
      new TableIndex({ name: 'ix_oidc_model_grant', columnNames: ['grant_id'] }),
    );
    await queryRunner.createIndex(
      'oidc_model',
      new TableIndex({ name: 'ix_oidc_model_uid', columnNames: ['uid'] }),
    );
    await queryRunner.createIndex(
      'oidc_model',
      new TableIndex({ name: 'ix_oidc_model_user_code', columnNames: ['user_code'] }),
    );
    await queryRunner.createIndex(
      'oidc_model',
      new TableIndex({ name: 'ix_oidc_model_expires', columnNames: ['expires_at'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'oidc_client',
        columns: [
          { name: 'client_id', type: 'varchar', length: '255', isPrimary: true },
          { name: 'metadata', type: 'text' },
          { name: 'created_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'oidc_account',
        columns: [
          { name: 'account_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'issuer', type: 'varchar', length: '500' },
          { name: 'subject', type: 'varchar', length: '500' },
          { name: 'claims', type: 'text' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
        uniques: [
          new TableUnique({ name: 'uq_oidc_account_issuer_subject', columnNames: ['issuer', 'subject'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'oid4vp_transaction',
        columns: [
          { name: 'state', type: 'varchar', length: '64', isPrimary: true },
          { name: 'interaction_uid', type: 'varchar', length: '255' },
          { name: 'nonce', type: 'varchar', length: '64' },
          { name: 'client_id', type: 'varchar', length: '600' },
          { name: 'query', type: 'text' },
          { name: 'flow', type: 'varchar', length: '16', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'result', type: 'text', isNullable: true },
          { name: 'response_code_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'expires_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'oid4vp_transaction',
      new TableIndex({ name: 'ix_oid4vp_transaction_interaction', columnNames: ['interaction_uid'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('oid4vp_transaction');
    await queryRunner.dropTable('oidc_account');
    await queryRunner.dropTable('oidc_client');
    await queryRunner.dropTable('oidc_model');
  }
}
