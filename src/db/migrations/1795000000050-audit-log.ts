import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The audit log. `audit_entry`: the hash-chained entries (sequence 1..n). `audit_head`: one row
 * naming the last entry, seeded with size 0 and 64 zeros; appends lock it to take turns.
 * `audit_checkpoint`: signed checkpoints, one per size.
 *
 * The database itself keeps the log append-only, on PostgreSQL and SQLite alike: triggers
 * refuse UPDATE and DELETE of entries and checkpoints (and TRUNCATE on PostgreSQL, which has
 * it), and let the head only stay or move forward by one entry. Every refusal message starts
 * with `<table> is append-only`.
 */
export class AuditLog1795000000050 implements MigrationInterface {
  readonly name = 'AuditLog1795000000050';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'audit_entry',
        columns: [
          { name: 'sequence', type: 'integer', isPrimary: true },
          { name: 'at', type: 'varchar', length: '32' },
          { name: 'kind', type: 'varchar', length: '100' },
          { name: 'actor', type: 'varchar', length: '500' },
          { name: 'subject', type: 'varchar', length: '500', isNullable: true },
          { name: 'data', type: 'text' },
          { name: 'prev_hash', type: 'varchar', length: '64' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'audit_entry',
      new TableIndex({ name: 'audit_entry_prev_hash', columnNames: ['prev_hash'], isUnique: true }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_head',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'size', type: 'integer' },
          { name: 'head_hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    await queryRunner.query(
      `INSERT INTO audit_head (id, size, head_hash) VALUES (1, 0, '${'0'.repeat(64)}')`,
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_checkpoint',
        columns: [
          { name: 'size', type: 'integer', isPrimary: true },
          { name: 'head_hash', type: 'varchar', length: '64' },
          { name: 'at', type: 'varchar', length: '32' },
          { name: 'signature', type: 'text' },
        ],
      }),
    );
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const statement of postgres ? POSTGRES_TRIGGERS : SQLITE_TRIGGERS)
      await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    // Dropping the tables drops their triggers; PostgreSQL's functions stay behind otherwise.
    await queryRunner.dropTable('audit_checkpoint');
    await queryRunner.dropTable('audit_head');
    await queryRunner.dropTable('audit_entry');
    if (postgres) {
      await queryRunner.query('DROP FUNCTION IF EXISTS audit_append_only()');
      await queryRunner.query('DROP FUNCTION IF EXISTS audit_head_forward_only()');
    }
  }
}

const HEAD_MOVES_FORWARD =
  'NEW.id = OLD.id AND ((NEW.size = OLD.size AND NEW.head_hash = OLD.head_hash) OR NEW.size = OLD.size + 1)';

const POSTGRES_TRIGGERS = [
  `CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
   END $$`,
  `CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'UPDATE' AND (${HEAD_MOVES_FORWARD}) THEN RETURN NEW; END IF;
     RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
   END $$`,
  ...['audit_entry', 'audit_checkpoint'].flatMap((table) => [
    `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
     FOR EACH ROW EXECUTE FUNCTION audit_append_only()`,
    `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
     FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`,
  ]),
  `CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
   FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()`,
  `CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
   FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`,
];

// SQLite has no TRUNCATE; `DELETE FROM t` without WHERE runs the DELETE triggers, which also
// turns off its truncate optimisation.
const SQLITE_TRIGGERS = [
  ...['audit_entry', 'audit_checkpoint'].flatMap((table) =>
    ['UPDATE', 'DELETE'].map(
      (operation) =>
        `CREATE TRIGGER ${table}_no_${operation.toLowerCase()} BEFORE ${operation} ON ${table}
         BEGIN SELECT RAISE(ABORT, '${table} is append-only: ${operation} refused'); END`,
    ),
  ),
  `CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
   WHEN NOT (${HEAD_MOVES_FORWARD})
   BEGIN SELECT RAISE(ABORT, 'audit_head is append-only: UPDATE refused'); END`,
  `CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
   BEGIN SELECT RAISE(ABORT, 'audit_head is append-only: DELETE refused'); END`,
];
