import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * A board member's vote signed through the wallet (issue 14 item 3) is a presentation that
 * signs the hash of an OpenID4VP `transaction_data` item: the item is kept beside the
 * presentation (`vote.statement`) so anyone can re-verify the vote. Null for the signed
 * statements (JWS) voted through the API and the CLI.
 */
export class VoteTransactionData1795000000511 implements MigrationInterface {
  readonly name = 'VoteTransactionData1795000000511';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'vote',
      new TableColumn({ name: 'transaction_data', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('vote', 'transaction_data');
  }
}
