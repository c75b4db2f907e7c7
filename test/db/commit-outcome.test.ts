/**
 * A COMMIT whose answer does not come (SRE review: a backend stopped while it committed, the
 * request answered 503 and the write was applied when the backend resumed). The outcome is
 * unknown, and the error says so (CommitOutcomeUnknownError, 503 `commit_outcome_unknown`),
 * never a plain outage that a caller would read as "nothing happened".
 */
import { strict as assert } from 'node:assert';
import type { DataSource } from 'typeorm';
import {
  createDataSource,
  inTransaction,
  isCommitOutcomeUnknown,
  isDatabaseUnavailable,
} from '../../src/db/index.js';
import { describeEachDatabase } from '../support/databases.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('a COMMIT the database does not confirm', (fresh, kind) => {
  let dataSource: DataSource | undefined;
  after(async () => {
    await dataSource?.destroy();
  });

  it('is reported as of unknown outcome, and indeed may be applied after the error', async function () {
    if (kind !== 'postgres') return this.skip();
    this.timeout(20_000);
    const database = await fresh();
    // Statements are bounded at 300 ms on the server, 1.3 s on the client.
    dataSource = createDataSource({ ...database, entities: [], poolSize: 2, statementTimeoutMs: 300 });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE slow_commit (id VARCHAR(10) PRIMARY KEY)');
    // A deferred constraint trigger runs at COMMIT: this one makes the COMMIT take 2.5 s.
    await dataSource.query(
      `CREATE FUNCTION slow_commit_sleep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2.5); RETURN NULL; END $$`,
    );
    await dataSource.query(
      'CREATE CONSTRAINT TRIGGER slow_commit_at_commit AFTER INSERT ON slow_commit DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit_sleep()',
    );
    const error = await inTransaction(dataSource, undefined, async (manager) => {
      // The server would cancel the COMMIT at its statement_timeout; here only the client's
      // read timeout ends the wait, as when the server stalls.
      await manager.query('SET LOCAL statement_timeout = 0');
      await manager.query(`INSERT INTO slow_commit VALUES ('a')`);
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(isCommitOutcomeUnknown(error), `not of unknown outcome: ${String(error)}`);
    assert.ok(isDatabaseUnavailable(error), 'still an outage (503, Retry-After)');
    await sleep(2_500);
    const rows = (await dataSource.query('SELECT COUNT(*) AS n FROM slow_commit')) as { n: string }[];
    assert.equal(
      Number(rows[0]?.n),
      1,
      'the write was applied after the error: its outcome was indeed unknown',
    );
  });
});
