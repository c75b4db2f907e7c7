import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Why the verifier refused a signing request's answer (issue 14 item 2, outside review: the
 * portal's apply page kept waiting): the refusal's code, one of the service's own codes, never
 * the wallet's text. The transaction's status is then `refused`.
 */
export class PresentationRefusal1795000000770 implements MigrationInterface {
  readonly name = 'PresentationRefusal1795000000770';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'oid4vp_transaction',
      new TableColumn({ name: 'refusal_code', type: 'varchar', length: '64', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oid4vp_transaction', 'refusal_code');
  }
}
