import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * OpenID4VP `transaction_data` (issue 14 items 2 and 3): a wallet transaction may carry data the
 * holder signs into its presentation (a board member's vote, an application), kept as the JSON
 * array of the base64url item strings exactly as sent, so the answer is checked against them.
 * `kind` tells a login (which completes an OpenID Connect interaction) from a signing request
 * made by the portal (which reads the verified answer itself); existing rows are logins.
 */
export class SigningTransactionData1795000000510 implements MigrationInterface {
  readonly name = 'SigningTransactionData1795000000510';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('oid4vp_transaction', [
      new TableColumn({ name: 'transaction_data', type: 'text', isNullable: true }),
      new TableColumn({ name: 'kind', type: 'varchar', length: '16', isNullable: false, default: "'login'" }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oid4vp_transaction', 'kind');
    await queryRunner.dropColumn('oid4vp_transaction', 'transaction_data');
  }
}
