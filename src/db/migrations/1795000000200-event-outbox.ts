import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The event outbox (src/events):
 * - `event_outbox`: every event, keyed by `sequence` (the feed's cursor), with its UUID `id`;
 *   `(audience, sequence)` serves the feed's "events for every member after n";
 * - `event_head`: one row handing out sequences, seeded with 0; appends lock it until commit;
 * - `event_audience`: the DIDs allowed to see a `listed` event, `(did, sequence)` for the feed;
 * - `event_subscription`: members' webhook endpoints;
 * - `event_delivery`: one row per event and subscription, with its retry state and lease;
 *   `(state, next_attempt_at)` is what workers claim from;
 * - `event_delivery_attempt`: the log of each attempt.
 * `expires_at` (set once delivered) is what the periodic sweep deletes by.
 */
export class EventOutbox1795000000200 implements MigrationInterface {
  readonly name = 'EventOutbox1795000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    const iso = (name: string, isNullable = false) => ({ name, type: 'varchar', length: '32', isNullable });
    await queryRunner.createTable(
      new Table({
        name: 'event_outbox',
        columns: [
          { name: 'sequence', type: 'bigint', isPrimary: true },
          { name: 'id', type: 'varchar', length: '36' },
          { name: 'type', type: 'varchar', length: '100' },
          { name: 'subject', type: 'varchar', length: '500' },
          { name: 'audience', type: 'varchar', length: '16' },
          { name: 'data', type: 'text' },
          iso('occurred_at'),
        ],
        indices: [
          new TableIndex({ name: 'event_outbox_id', columnNames: ['id'], isUnique: true }),
          new TableIndex({ name: 'event_outbox_audience', columnNames: ['audience', 'sequence'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'event_head',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'last_sequence', type: 'bigint' },
        ],
      }),
    );
    await queryRunner.query('INSERT INTO event_head (id, last_sequence) VALUES (1, 0)');
    await queryRunner.createTable(
      new Table({
        name: 'event_audience',
        columns: [
          { name: 'sequence', type: 'bigint', isPrimary: true },
          { name: 'did', type: 'varchar', length: '500', isPrimary: true },
        ],
        indices: [new TableIndex({ name: 'event_audience_did', columnNames: ['did', 'sequence'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'event_subscription',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'member_did', type: 'varchar', length: '500' },
          { name: 'url', type: 'varchar', length: '2048' },
          { name: 'types', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          iso('created_at'),
        ],
        indices: [new TableIndex({ name: 'event_subscription_member', columnNames: ['member_did'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'event_delivery',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'subscription_id', type: 'varchar', length: '36' },
          { name: 'event_sequence', type: 'bigint' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer' },
          iso('next_attempt_at', true),
          { name: 'lease_owner', type: 'varchar', length: '100', isNullable: true },
          iso('lease_until', true),
          iso('created_at'),
          iso('settled_at', true),
          iso('expires_at', true),
        ],
        indices: [
          new TableIndex({ name: 'event_delivery_due', columnNames: ['state', 'next_attempt_at'] }),
          new TableIndex({
            name: 'event_delivery_subscription',
            columnNames: ['subscription_id', 'event_sequence'],
            isUnique: true,
          }),
          new TableIndex({ name: 'event_delivery_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'event_delivery_attempt',
        columns: [
          { name: 'delivery_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'number', type: 'integer', isPrimary: true },
          iso('at'),
          { name: 'http_status', type: 'integer', isNullable: true },
          { name: 'error', type: 'varchar', length: '300', isNullable: true },
          { name: 'duration_ms', type: 'integer' },
          iso('next_attempt_at', true),
          iso('expires_at', true),
        ],
        indices: [new TableIndex({ name: 'event_delivery_attempt_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'event_delivery_attempt',
      'event_delivery',
      'event_subscription',
      'event_audience',
      'event_head',
      'event_outbox',
    ])
      await queryRunner.dropTable(table);
  }
}
