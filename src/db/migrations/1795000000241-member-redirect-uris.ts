import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * The redirect URIs a member registered for its app (issue 11 item 3): with one, the member's
 * DID client may also use the authorization code flow, to send citizens here to give consent.
 * Replaced as a whole by `PUT /api/v1/connectors/me/redirect-uris`.
 */
export class MemberRedirectUris1795000000241 implements MigrationInterface {
  readonly name = 'MemberRedirectUris1795000000241';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'member_redirect_uri',
        columns: [
          { name: 'member_did', type: 'varchar', length: '500', isPrimary: true },
          { name: 'redirect_uri', type: 'varchar', length: '500', isPrimary: true },
          { name: 'position', type: 'integer' },
          { name: 'created_at', type: 'varchar', length: '32' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('member_redirect_uri');
  }
}
