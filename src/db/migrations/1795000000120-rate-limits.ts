import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `rate_limit`: the counters of the rate limits on unauthenticated writes (src/http/rate-limit.ts),
 * shared by every replica (PostgreSQL) or every process on the host (SQLite). The columns are
 * the ones `rate-limiter-flexible`'s PostgreSQL and SQLite stores read and write (key, points,
 * expire in epoch milliseconds); the stores are told the table exists and never create it.
 * `rate_limit_expire` serves the sweep of expired counters.
 */
export class RateLimits1795000000120 implements MigrationInterface {
  readonly name = 'RateLimits1795000000120';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query(
        'CREATE TABLE rate_limit (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)',
      );
    } else {
      await queryRunner.query(
        'CREATE TABLE rate_limit (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER)',
      );
    }
    await queryRunner.query('CREATE INDEX rate_limit_expire ON rate_limit (expire)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE rate_limit');
  }
}
