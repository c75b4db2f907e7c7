import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The register of data-sharing agreements (src/agreements, docs/agreements.md):
 * - `agreement_offer`: one row per offer (its provider, target and latest version);
 *   `(provider_did, id)` and `(target, id)` page the public list in SQL.
 * - `agreement_offer_version`: every version of every offer, the canonical ODRL policy (compact
 *   JSON-LD, RFC 8785) and its hash, and the normalised model the evaluator reads. A version never changes: triggers refuse UPDATE and DELETE.
 * - `agreement`: one row per agreement, its current state and signatures. Its terms (parties,
 *   target, policy, hash, end) never change once proposed (a trigger refuses it);
 *   `(provider_did, consumer_did, target)` is the check's lookup, `(status, ends_at)` the expiry
 *   job's, `uses` the use counter of `count` constraints (incremented under a row lock).
 */
export class Agreements1795000000300 implements MigrationInterface {
  readonly name = 'Agreements1795000000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'agreement_offer',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'provider_did', type: 'varchar', length: '500' },
          { name: 'target', type: 'varchar', length: '500' },
          { name: 'latest_version', type: 'integer' },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'updated_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'agreement_offer',
      new TableIndex({ name: 'agreement_offer_provider_id', columnNames: ['provider_did', 'id'] }),
    );
    await queryRunner.createIndex(
      'agreement_offer',
      new TableIndex({ name: 'agreement_offer_target_id', columnNames: ['target', 'id'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'agreement_offer_version',
        columns: [
          { name: 'offer_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'hash', type: 'varchar', length: '64' },
          { name: 'policy', type: 'text' },
          { name: 'policy_model', type: 'text' },
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
        name: 'agreement',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'origin', type: 'varchar', length: '16' },
          { name: 'offer_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'offer_version', type: 'integer', isNullable: true },
          { name: 'provider_did', type: 'varchar', length: '500' },
          { name: 'consumer_did', type: 'varchar', length: '500' },
          { name: 'target', type: 'varchar', length: '500' },
          { name: 'policy', type: 'text' },
          { name: 'policy_model', type: 'text' },
          { name: 'terms', type: 'text' },
          { name: 'hash', type: 'varchar', length: '64' },
          { name: 'proposed_by', type: 'varchar', length: '500' },
          { name: 'proposed_at', type: 'varchar', length: '32' },
          { name: 'ends_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'status_at', type: 'varchar', length: '32' },
          { name: 'activated_at', type: 'varchar', length: '32', isNullable: true },
          { name: 'suspended_parties', type: 'text' },
          { name: 'provider_signature', type: 'text', isNullable: true },
          { name: 'consumer_signature', type: 'text', isNullable: true },
          { name: 'ended_by', type: 'varchar', length: '500', isNullable: true },
          { name: 'end_reason', type: 'varchar', length: '2000', isNullable: true },
          { name: 'provider_credential_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'consumer_credential_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'provider_credential', type: 'text', isNullable: true },
          { name: 'consumer_credential', type: 'text', isNullable: true },
          { name: 'uses', type: 'integer', default: 0 },
          { name: 'request_key', type: 'varchar', length: '64', isNullable: true, isUnique: true },
          { name: 'request_hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    for (const [name, columnNames] of [
      ['agreement_parties_target', ['provider_did', 'consumer_did', 'target']],
      ['agreement_consumer', ['consumer_did']],
      ['agreement_status_ends', ['status', 'ends_at']],
    ] as const) {
      await queryRunner.createIndex('agreement', new TableIndex({ name, columnNames: [...columnNames] }));
    }
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const statement of postgres ? POSTGRES_TRIGGERS : SQLITE_TRIGGERS)
      await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('agreement');
    await queryRunner.dropTable('agreement_offer_version');
    await queryRunner.dropTable('agreement_offer');
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('DROP FUNCTION IF EXISTS agreement_append_only()');
    }
  }
}

/** The terms of an agreement, fixed when it is proposed: what both parties sign. */
const TERMS = [
  'id',
  'origin',
  'offer_id',
  'offer_version',
  'provider_did',
  'consumer_did',
  'target',
  'policy',
  'policy_model',
  'terms',
  'hash',
  'proposed_by',
  'proposed_at',
  'ends_at',
];

const TERMS_CHANGED = TERMS.map((column) => `NEW.${column} IS DISTINCT FROM OLD.${column}`).join(' OR ');

const POSTGRES_TRIGGERS = [
  `CREATE FUNCTION agreement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
   END $$`,
  `CREATE TRIGGER agreement_offer_version_append_only BEFORE UPDATE OR DELETE ON agreement_offer_version
   FOR EACH ROW EXECUTE FUNCTION agreement_append_only()`,
  `CREATE TRIGGER agreement_terms_fixed BEFORE UPDATE ON agreement
   FOR EACH ROW WHEN (${TERMS_CHANGED}) EXECUTE FUNCTION agreement_append_only()`,
];

const SQLITE_TRIGGERS = [
  `CREATE TRIGGER agreement_offer_version_no_update BEFORE UPDATE ON agreement_offer_version
   BEGIN SELECT RAISE(ABORT, 'agreement_offer_version is append-only: UPDATE refused'); END`,
  `CREATE TRIGGER agreement_offer_version_no_delete BEFORE DELETE ON agreement_offer_version
   BEGIN SELECT RAISE(ABORT, 'agreement_offer_version is append-only: DELETE refused'); END`,
  `CREATE TRIGGER agreement_terms_fixed BEFORE UPDATE ON agreement
   WHEN ${TERMS_CHANGED.replaceAll('IS DISTINCT FROM', 'IS NOT')}
   BEGIN SELECT RAISE(ABORT, 'agreement is append-only: UPDATE of its signed terms refused'); END`,
];
