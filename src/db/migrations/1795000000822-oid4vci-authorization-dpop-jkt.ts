import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Authorization codes bound to a DPoP key (RFC 9449 §10, HAIP): the `dpop_jkt` of the
 * authorization request, or the key of the DPoP proof sent with its pushed request. Null: the
 * code is not bound, as every code issued before.
 */
export class OpenIdCredentialAuthorizationDpopKey1795000000822 implements MigrationInterface {
  readonly name = 'OpenIdCredentialAuthorizationDpopKey1795000000822';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'oid4vci_authorization',
      new TableColumn({ name: 'dpop_jkt', type: 'varchar', length: '64', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oid4vci_authorization', 'dpop_jkt');
  }
}
