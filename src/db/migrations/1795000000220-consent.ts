import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The consent register (src/consent, docs/consent.md):
 * - `consent_notice`: one row per notice (its controller and latest version number);
 *   `(controller_did, id)` pages a controller's notices in SQL.
 * - `consent_notice_version`: every version of every notice, its canonical content and hash,
 *   how it was published. A version never changes: triggers refuse UPDATE and DELETE.
 * - `consent_record`: the current state of each consent (given, withdrawn, expired,
 *   superseded), one row per consent. Its given facts never change and its status only leaves
 *   `given` (a trigger refuses anything else); each change is also appended to `consent_event`. Indexes: `subject_id` (the connector
 *   check: one indexed lookup by pairwise id), `citizen_hash` (a citizen's own list),
 *   `(status, expires_at)` (the expiry job), `ended_at` (the retention purge); unique
 *   `request_key` (one record per idempotency key) and `active_key` (at most one active consent
 *   per notice and citizen).
 * - `consent_event`: the append-only, per-consent hash-chained history (given, withdrawn,
 *   expired, superseded, erased): a trigger refuses UPDATE. Rows are deleted only with their
 *   record, when its retention ends.
 */
export class Consent1795000000220 implements MigrationInterface {
  readonly name = 'Consent1795000000220';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'consent_notice',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'controller_did', type: 'varchar', length: '500' },
          { name: 'latest_version', type: 'integer' },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'consent_notice',
      new TableIndex({ name: 'consent_notice_controller_id', columnNames: ['controller_did', 'id'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'consent_notice_version',
        columns: [
          { name: 'notice_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'hash', type: 'varchar', length: '64' },
          { name: 'content', type: 'text' },
          { name: 'published_at', type: 'varchar', length: '32' },
          { name: 'published_via', type: 'varchar', length: '16' },
          { name: 'publication_key', type: 'varchar', length: '64', isNullable: true, isUnique: true },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'statement', type: 'text', isNullable: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'consent_record',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'notice_id', type: 'varchar', length: '64' },
          { name: 'notice_version', type: 'integer' },
          { name: 'notice_hash', type: 'varchar', length: '64' },
          { name: 'controller_did', type: 'varchar', length: '500' },
          { name: 'subject_id', type: 'varchar', length: '64' },
          { name: 'citizen_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'purposes', type: 'text' },
          { name: 'data_categories', type: 'text' },
          { name: 'recipients', type: 'text' },
          { name: 'legal_basis', type: 'varchar', length: '100' },
          { name: 'collection_method', type: 'text' },
          { name: 'given_at', type: 'varchar', length: '32' },
          { name: 'expires_at', type: 'varchar', length: '32' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'status_at', type: 'varchar', length: '32' },
          { name: 'ended_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'receipt_id', type: 'varchar', length: '100' },
          { name: 'receipt_sealed', type: 'text', isNullable: true },
          { name: 'request_key', type: 'varchar', length: '64', isNullable: true, isUnique: true },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'active_key', type: 'varchar', length: '200', isNullable: true, isUnique: true },
          { name: 'record_hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    for (const [name, columnNames] of [
      ['consent_record_subject', ['subject_id']],
      ['consent_record_citizen', ['citizen_hash']],
      ['consent_record_status_expiry', ['status', 'expires_at']],
      ['consent_record_ended', ['ended_at']],
    ] as const) {
      await queryRunner.createIndex(
        'consent_record',
        new TableIndex({ name, columnNames: [...columnNames] }),
      );
    }
    await queryRunner.createTable(
      new Table({
        name: 'consent_event',
        columns: [
          { name: 'consent_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'event', type: 'varchar', length: '16' },
          { name: 'at', type: 'varchar', length: '32' },
          { name: 'actor', type: 'varchar', length: '16' },
          { name: 'data', type: 'text' },
          { name: 'prev_hash', type: 'varchar', length: '64' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const statement of postgres ? POSTGRES_TRIGGERS : SQLITE_TRIGGERS)
      await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('consent_event');
    await queryRunner.dropTable('consent_record');
    await queryRunner.dropTable('consent_notice_version');
    await queryRunner.dropTable('consent_notice');
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('DROP FUNCTION IF EXISTS consent_append_only()');
    }
  }
}

/** The columns of a consent record fixed when it is given (erasure and status changes touch none). */
const FACTS = [
  'id',
  'notice_id',
  'notice_version',
  'notice_hash',
  'controller_did',
  'subject_id',
  'purposes',
  'data_categories',
  'recipients',
  'legal_basis',
  'collection_method',
  'given_at',
  'expires_at',
  'receipt_id',
  'request_hash',
  'record_hash',
];

/** True when an UPDATE of consent_record changes a given fact or moves a status that is no longer `given`. */
const RECORD_CHANGE_REFUSED = [
  ...FACTS.map((column) => `NEW.${column} IS DISTINCT FROM OLD.${column}`),
  "(OLD.status <> 'given' AND NEW.status IS DISTINCT FROM OLD.status)",
].join(' OR ');

// Each refusal message starts with `<table> is append-only`, like the audit log's.
const POSTGRES_TRIGGERS = [
  `CREATE FUNCTION consent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
   END $$`,
  `CREATE TRIGGER consent_notice_version_append_only BEFORE UPDATE OR DELETE ON consent_notice_version
   FOR EACH ROW EXECUTE FUNCTION consent_append_only()`,
  `CREATE TRIGGER consent_notice_version_no_truncate BEFORE TRUNCATE ON consent_notice_version
   FOR EACH STATEMENT EXECUTE FUNCTION consent_append_only()`,
  `CREATE TRIGGER consent_event_append_only BEFORE UPDATE ON consent_event
   FOR EACH ROW EXECUTE FUNCTION consent_append_only()`,
  `CREATE TRIGGER consent_record_facts_fixed BEFORE UPDATE ON consent_record
   FOR EACH ROW WHEN (${RECORD_CHANGE_REFUSED}) EXECUTE FUNCTION consent_append_only()`,
];

const SQLITE_TRIGGERS = [
  `CREATE TRIGGER consent_notice_version_no_update BEFORE UPDATE ON consent_notice_version
   BEGIN SELECT RAISE(ABORT, 'consent_notice_version is append-only: UPDATE refused'); END`,
  `CREATE TRIGGER consent_notice_version_no_delete BEFORE DELETE ON consent_notice_version
   BEGIN SELECT RAISE(ABORT, 'consent_notice_version is append-only: DELETE refused'); END`,
  `CREATE TRIGGER consent_event_no_update BEFORE UPDATE ON consent_event
   BEGIN SELECT RAISE(ABORT, 'consent_event is append-only: UPDATE refused'); END`,
  // SQLite's IS NOT is PostgreSQL's IS DISTINCT FROM.
  `CREATE TRIGGER consent_record_facts_fixed BEFORE UPDATE ON consent_record
   WHEN ${RECORD_CHANGE_REFUSED.replaceAll('IS DISTINCT FROM', 'IS NOT')}
   BEGIN SELECT RAISE(ABORT, 'consent_record is append-only: UPDATE of a given fact or a closed status refused'); END`,
];
