import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * `portal_session`: the portal's server-side sessions (src/portal/sessions.ts, docs/portal.md).
 * The row is keyed by the SHA-256 of the session id (the cookie's value), so a database dump
 * holds no usable session. `data` is sealed (AES-256-GCM, the id hash as associated data): the
 * citizen's key, the pending login's PKCE verifier and the ID token never lie in clear.
 * `expires_at` is the earlier of the idle and the absolute expiry (the sweep deletes by it);
 * `citizen_hash` (keyed) and `account_id` find the sessions to end on an erasure or when a
 * member's logins end.
 */
export class PortalSessions1795000000250 implements MigrationInterface {
  readonly name = 'PortalSessions1795000000250';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'portal_session',
        columns: [
          { name: 'id_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'data', type: 'text' },
          { name: 'account_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'citizen_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'last_seen_at', type: 'varchar', length: '32' },
          { name: 'expires_at', type: 'varchar', length: '32' },
          { name: 'absolute_expires_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'portal_session',
      new TableIndex({ name: 'portal_session_expires_at', columnNames: ['expires_at'] }),
    );
    await queryRunner.createIndex(
      'portal_session',
      new TableIndex({ name: 'portal_session_account_id', columnNames: ['account_id'] }),
    );
    await queryRunner.createIndex(
      'portal_session',
      new TableIndex({ name: 'portal_session_citizen_hash', columnNames: ['citizen_hash'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('portal_session');
  }
}
