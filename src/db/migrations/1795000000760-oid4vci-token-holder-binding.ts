import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Which keys an OpenID4VCI access token may bind credentials to (issue 12, cross-device
 * phishing review finding): `any` for the pre-authorized code grant (the member received the
 * offer from the operator), `member` for the authorization code grant (only a key of the member's
 * DID, the key that proved membership). Existing tokens live minutes; they keep `any`.
 */
export class OpenIdCredentialTokenHolderBinding1795000000760 implements MigrationInterface {
  readonly name = 'OpenIdCredentialTokenHolderBinding1795000000760';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'oid4vci_token',
      new TableColumn({
        name: 'holder_binding',
        type: 'varchar',
        length: '16',
        default: "'any'",
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oid4vci_token', 'holder_binding');
  }
}
