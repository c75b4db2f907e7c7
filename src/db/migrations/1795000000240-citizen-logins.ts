import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Citizens' wallet logins (issue 11 item 3): an account created by a natural-person login keeps
 * the one thing the consent register needs to know who the citizen is
 * (`ConsentRegister.citizenFromLogin`): the credential's issuer and type, the holder DID and the
 * identifier claim the rulebook names, as JSON in `oidc_account.natural_person`. No name, no
 * birth date: those are never read from the credential.
 */
export class CitizenLogins1795000000240 implements MigrationInterface {
  readonly name = 'CitizenLogins1795000000240';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'oidc_account',
      new TableColumn({ name: 'natural_person', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('oidc_account', 'natural_person');
  }
}
