/**
 * The founding board (docs/governance.md, "The board"): the operator seats the first board
 * members with `dataspace-trust board add`; once the board has opened a motion, seats change
 * only by its own motions.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { openTestService, TEST_SECRET } from '../support/service.js';
import { type Actor, motion, newActor } from './support.js';

describeEachDatabase('governance: the operator seats only the founding board', (fresh) => {
  let database: TestDatabase;
  const env = () => ({
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.databaseUrl,
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    PUBLIC_URL: 'http://localhost:3000',
    LOG_LEVEL: 'silent',
  });

  beforeEach(async function () {
    this.timeout(20_000);
    database = await fresh();
  });

  it('seats founding members with `board add`, then refuses board_constituted once a motion was opened, and nothing changes', async function () {
    this.timeout(120_000);
    const [alice, bob, carol] = [await newActor(), await newActor(), await newActor()];
    for (const [actor, name] of [
      [alice, 'Alice'],
      [bob, 'Bob'],
    ] as const) {
      const seated = await runCli(['board', 'add', actor.did, '--name', name], env());
      assert.equal(seated.code, 0, seated.stderr);
      assert.equal(JSON.parse(seated.stdout).member.did, actor.did);
    }

    const service = await openTestService(database);
    try {
      await request(service.app.callback())
        .post('/api/v1/motions')
        .send({
          motion: await motion(alice as Actor, service.identity.did, 'add-board-member', carol.did, {
            name: 'Carol',
          }),
        })
        .expect(201);
    } finally {
      await service.close();
    }

    const refused = await runCli(['board', 'add', carol.did, '--name', 'Carol'], env());
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /board_constituted/);

    const after = await openTestService(database);
    try {
      assert.deepEqual(
        (await after.governance.board.list()).map((member) => member.did).sort(),
        [alice.did, bob.did].sort(),
      );
      let seats = 0;
      for await (const entry of after.audit.entries()) if (entry.kind === 'board.member.added') seats++;
      assert.equal(seats, 2, 'no audit entry for the refused seat');
      await assert.rejects(after.governance.board.addFounding({ did: carol.did, name: 'Carol' }), {
        code: 'board_constituted',
      });
    } finally {
      await after.close();
    }
  });
});
