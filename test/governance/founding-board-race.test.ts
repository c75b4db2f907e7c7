/**
 * The operator's seat and the board's first motion on two replicas (docs/governance.md, "The
 * board"): `board add` seats only while no motion exists, and check and seat are one step. The
 * race is made deterministic: a third connection holds the audit head's lock while the first
 * motion is opened on one replica and a founding seat is asked for on the other, so both wait
 * and then run in that order. Today's check-then-insert would seat the member after the motion
 * committed; with the head taken before the check the seat sees the motion and is refused
 * `board_constituted`. A second replica over one SQLite file is not a deployment the service
 * supports, and SQLite's transactions hold the write lock from their start: PostgreSQL only.
 */
import { strict as assert } from 'node:assert';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { type Actor, motion, newActor } from './support.js';

/** Backends of this database waiting for a lock (pg_stat_activity, read outside any transaction). */
async function waitingForLocks(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query(
    "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return row.waiting as number;
}

async function untilWaiting(dataSource: DataSource, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await waitingForLocks(dataSource)) < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} transactions wait for a lock`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describeEachDatabase(
  'governance: the founding seat and the first motion race on two replicas',
  (fresh, kind) => {
    let service: Service;
    let replica: Service;

    before(async function () {
      if (kind !== 'postgres') this.skip();
      this.timeout(120_000);
      const database = await fresh();
      service = await openTestService(database);
      replica = await openTestService(database, { PUBLIC_URL: service.config.publicUrl });
    });
    after(async () => {
      await replica?.close();
      await service?.close();
    });

    it('a seat asked for while the first motion commits on another replica is refused board_constituted, and nothing changes', async function () {
      this.timeout(120_000);
      const [alice, carol, dave] = [await newActor(), await newActor(), await newActor()];
      await service.governance.board.addFounding({ did: alice.did, name: 'Alice' });

      const holder = service.dataSource.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      let opened: Promise<request.Response> | undefined;
      let seated: Promise<unknown> | undefined;
      try {
        await service.audit.lockHead(holder.manager);
        // The first motion, on one replica: it waits for the head.
        opened = request(service.app.callback())
          .post('/api/v1/motions')
          .send({
            motion: await motion(alice as Actor, service.identity.did, 'add-board-member', carol.did, {
              name: 'Carol',
            }),
          })
          .then((response) => response);
        await untilWaiting(service.dataSource, 1);
        // The operator's seat, on the other replica, after the motion in the queue.
        seated = replica.governance.board.addFounding({ did: dave.did, name: 'Dave' }).then(
          (value) => value,
          (error: unknown) => error,
        );
        await untilWaiting(service.dataSource, 2);
      } finally {
        await holder.rollbackTransaction();
        await holder.release();
      }

      assert.equal((await opened).status, 201);
      const refusal = await seated;
      assert.ok(refusal instanceof Error, 'the seat was given after the motion was opened');
      assert.equal((refusal as Error & { code?: string }).code, 'board_constituted');
      assert.deepEqual(
        (await service.governance.board.list()).map((member) => member.did),
        [alice.did],
      );
      let seats = 0;
      for await (const entry of service.audit.entries()) if (entry.kind === 'board.member.added') seats++;
      assert.equal(seats, 1, 'no audit entry for the refused seat');
    });
  },
);
