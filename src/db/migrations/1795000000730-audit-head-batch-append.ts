import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit head may move forward by several entries in one update (AuditLog.appendMany: a
 * cascade over many agreements appends its entries in batches and moves the head once), but
 * only onto an entry that exists: the new size must be larger and `audit_entry` must hold that
 * sequence with that hash. Before, the head could move by exactly one, to any hash; the rule is
 * stricter on where it may land and stays forward-only. The entry table stays append-only.
 */
export class AuditHeadBatchAppend1795000000730 implements MigrationInterface {
  readonly name = 'AuditHeadBatchAppend1795000000730';

  async up(queryRunner: QueryRunner): Promise<void> {
    await replace(queryRunner, HEAD_MOVES_TO_AN_ENTRY);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await replace(queryRunner, HEAD_MOVES_BY_ONE);
  }
}

const HEAD_MOVES_BY_ONE =
  'NEW.id = OLD.id AND ((NEW.size = OLD.size AND NEW.head_hash = OLD.head_hash) OR NEW.size = OLD.size + 1)';

const HEAD_MOVES_TO_AN_ENTRY = `NEW.id = OLD.id AND ((NEW.size = OLD.size AND NEW.head_hash = OLD.head_hash)
  OR (NEW.size > OLD.size AND EXISTS (SELECT 1 FROM audit_entry e WHERE e.sequence = NEW.size AND e.hash = NEW.head_hash)))`;

async function replace(queryRunner: QueryRunner, rule: string): Promise<void> {
  if (queryRunner.connection.options.type === 'postgres') {
    // The trigger calls the function by name: replacing the function changes the rule.
    await queryRunner.query(`CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'UPDATE' AND (${rule}) THEN RETURN NEW; END IF;
     RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
   END $$`);
    return;
  }
  await queryRunner.query('DROP TRIGGER IF EXISTS audit_head_forward_only');
  await queryRunner.query(`CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
   WHEN NOT (${rule})
   BEGIN SELECT RAISE(ABORT, 'audit_head is append-only: UPDATE refused'); END`);
}
