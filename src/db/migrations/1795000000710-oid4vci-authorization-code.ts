import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * The OpenID4VCI authorization code grant (issue 12 item 3, docs/oid4vci.md): the wallets'
 * authorization requests with their PKCE challenge, redirect URI, the configurations asked for,
 * the browser that started them (hashed cookie), the wallet login that proves membership and
 * the one-time code (hashed). An offer gains its `issuer_state` (hashed), and an access token
 * the `credential_identifiers` its token response named (authorization_details).
 */
export class OpenIdCredentialAuthorizationCode1795000000710 implements MigrationInterface {
  readonly name = 'OpenIdCredentialAuthorizationCode1795000000710';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'oid4vci_authorization',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'browser_hash', type: 'varchar', length: '64' },
          { name: 'client_id', type: 'varchar', length: '500' },
          { name: 'redirect_uri', type: 'text' },
          { name: 'code_challenge', type: 'varchar', length: '128' },
          { name: 'configuration_ids', type: 'text' },
          { name: 'with_details', type: 'integer' },
          { name: 'state', type: 'text', isNullable: true },
          { name: 'offer_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'login_state', type: 'varchar', length: '64' },
          { name: 'subject', type: 'varchar', length: '500', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'code_hash', type: 'varchar', length: '64', isNullable: true, isUnique: true },
          { name: 'code_expires_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'expires_at', type: 'varchar', length: '32' },
        ],
        indices: [{ name: 'ix_oid4vci_authorization_expires', columnNames: ['expires_at'] }],
      }),
    );
    await queryRunner.addColumn(
      'oid4vci_offer',
      new TableColumn({ name: 'issuer_state_hash', type: 'varchar', length: '64', isNullable: true }),
    );
    await queryRunner.addColumn(
      'oid4vci_token',
      new TableColumn({ name: 'credential_identifiers', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oid4vci_token', 'credential_identifiers');
    await queryRunner.dropColumn('oid4vci_offer', 'issuer_state_hash');
    await queryRunner.dropTable('oid4vci_authorization');
  }
}
