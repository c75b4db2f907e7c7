import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Pushed authorization requests of the OpenID4VCI issuer (RFC 9126, HAIP): the checked request
 * behind each `request_uri`, single use, one minute.
 */
export class OpenIdCredentialPushedRequests1795000000821 implements MigrationInterface {
  readonly name = 'OpenIdCredentialPushedRequests1795000000821';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'oid4vci_pushed_request',
        columns: [
          { name: 'request_uri_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'client_id', type: 'varchar', length: '500' },
          { name: 'request', type: 'text' },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'expires_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'oid4vci_pushed_request',
      new TableIndex({ name: 'ix_oid4vci_pushed_request_expires', columnNames: ['expires_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('oid4vci_pushed_request');
  }
}
