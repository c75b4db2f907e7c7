import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * OpenID4VCI issuance (issue 12 item 3): credential offers with their pre-authorized codes and
 * transaction codes (hashed), the credential endpoint's access tokens (hashed), and the
 * notification ids of credential responses. c_nonces need no table: they are MACed by the
 * service secret and spent in `used_nonce`.
 */
export class OpenIdCredentialIssuance1795000000600 implements MigrationInterface {
  readonly name = 'OpenIdCredentialIssuance1795000000600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'oid4vci_offer',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'reference_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'code_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'subject', type: 'varchar', length: '500' },
          { name: 'configuration_ids', type: 'text' },
          { name: 'tx_code_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'wrong_tries', type: 'integer' },
          { name: 'redeemed_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'expires_at', type: 'varchar', length: '32' },
        ],
        indices: [{ name: 'ix_oid4vci_offer_expires', columnNames: ['expires_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'oid4vci_token',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'offer_id', type: 'varchar', length: '64' },
          { name: 'subject', type: 'varchar', length: '500' },
          { name: 'configuration_ids', type: 'text' },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'expires_at', type: 'varchar', length: '32' },
        ],
        indices: [{ name: 'ix_oid4vci_token_expires', columnNames: ['expires_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'oid4vci_notification',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'subject', type: 'varchar', length: '500' },
          { name: 'configuration_id', type: 'varchar', length: '100' },
          { name: 'credential_ids', type: 'text' },
          { name: 'event', type: 'varchar', length: '32', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'expires_at', type: 'varchar', length: '32' },
        ],
        indices: [{ name: 'ix_oid4vci_notification_expires', columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('oid4vci_notification');
    await queryRunner.dropTable('oid4vci_token');
    await queryRunner.dropTable('oid4vci_offer');
  }
}
