import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Token Status List entries of SD-JWT VCs (issue 12 item 2) live in `status_list` /
 * `status_entry` like Bitstring entries, with purpose `token` and a status value of 0, 1
 * (INVALID) or 2 (SUSPENDED). `follows` names the credential whose status an entry follows:
 * an SD-JWT VC issued to a member follows the member's MembershipCredential, so that the
 * revocation or suspension of the member flips both kinds of status in one transaction.
 */
export class TokenStatusFollows1795000000400 implements MigrationInterface {
  readonly name = 'TokenStatusFollows1795000000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'status_entry',
      new TableColumn({ name: 'follows', type: 'varchar', length: '500', isNullable: true }),
    );
    await queryRunner.createIndex(
      'status_entry',
      new TableIndex({ name: 'status_entry_follows', columnNames: ['follows'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('status_entry', 'status_entry_follows');
    await queryRunner.dropColumn('status_entry', 'follows');
  }
}
