import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * DPoP-bound OpenID4VCI access tokens (RFC 9449, HAIP): the thumbprint of the key a token is
 * bound to (`cnf.jkt`). Null is a Bearer token, as every token issued before was.
 */
export class OpenIdCredentialTokenDpopBinding1795000000820 implements MigrationInterface {
  readonly name = 'OpenIdCredentialTokenDpopBinding1795000000820';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'oid4vci_token',
      new TableColumn({ name: 'dpop_jkt', type: 'varchar', length: '64', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oid4vci_token', 'dpop_jkt');
  }
}
