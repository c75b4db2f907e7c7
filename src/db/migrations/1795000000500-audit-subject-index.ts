import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The portal's member page shows a member's status history from the audit log (issue 14 item
 * 1): "the entries about subject S, in sequence order" is one range of this index instead of a
 * scan of the whole log. An index only: the entries themselves stay append-only.
 */
export class AuditSubjectIndex1795000000500 implements MigrationInterface {
  readonly name = 'AuditSubjectIndex1795000000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'audit_entry',
      new TableIndex({ name: 'audit_entry_subject', columnNames: ['subject', 'sequence'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('audit_entry', 'audit_entry_subject');
  }
}
