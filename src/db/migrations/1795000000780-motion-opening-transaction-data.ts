import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * A motion a board member opens through the wallet (issue 14 item 3) is a presentation that
 * signs the hash of an OpenID4VP `transaction_data` item: the item is kept beside the
 * presentation (`motion.opening_statement`) so anyone can re-verify the opening. Null for
 * motions opened with a signed statement (JWS) and for admissions.
 */
export class MotionOpeningTransactionData1795000000780 implements MigrationInterface {
  readonly name = 'MotionOpeningTransactionData1795000000780';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'motion',
      new TableColumn({ name: 'opening_transaction_data', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('motion', 'opening_transaction_data');
  }
}
