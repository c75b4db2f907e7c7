import { strict as assert } from 'node:assert';
import request from 'supertest';
import {
  CONFIRMED_FOR_MS,
  type ListeningRevisionWatch,
  listeningRevisionWatch,
} from '../../../src/credentials/status/revision-watch.js';
import type { Service } from '../../../src/service.js';
import { describeEachDatabase, type TestDatabase } from '../../support/databases.js';
import { openTestService } from '../../support/service.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

const VERIFY = '/api/v1/credentials/verify';

/** Resolves on the watch's next event that satisfies `test` (an event, not a timer). */
function next<T extends unknown[]>(
  subscribe: (handler: (...args: T) => void) => () => void,
  test: (...args: T) => boolean = () => true,
): Promise<void> {
  return new Promise((resolve) => {
    const off = subscribe((...args) => {
      if (!test(...args)) return;
      off();
      resolve();
    });
  });
}

describeEachDatabase(
  'Status changes announced across replicas (LISTEN/NOTIFY, revision fallback)',
  (fresh, kind) => {
    const itOnPostgres = kind === 'postgres' ? it : it.skip;
    let a: Service;
    let b: Service;
    let watchB: ListeningRevisionWatch;
    let database: TestDatabase;
    /** Revision reads B's publisher made since the last reset. */
    let revisionReads = 0;

    const issue = async (name: string) =>
      a.credentials.issuer.issue({
        type: 'MembershipCredential',
        subject: {
          id: `did:web:${name}.example`,
          legalName: name,
          roles: ['data-provider'],
          sides: ['supply'],
          memberSince: '2026-01-01T00:00:00Z',
          rulebookVersion: '1.0',
        },
      });
    const verifyOnB = async (jwt: string) => {
      const response = await request(b.app.callback()).post(VERIFY).send({ credential: jwt }).expect(200);
      return response.body as { verified: boolean; checks: { check: string; code?: string }[] };
    };
    const statusCode = (result: { checks: { check: string; code?: string }[] }) =>
      result.checks.find((c) => c.check === 'status')?.code;

    before(async function () {
      if (kind !== 'postgres') return;
      this.timeout(60_000);
      database = await fresh();
      a = await openTestService(database);
      b = await openTestService(database);
      assert.ok(b.credentials.statusWatch, 'a PostgreSQL service listens for status changes');
      watchB = b.credentials.statusWatch;
      await Promise.all([a.credentials.statusWatch?.listener.ready, watchB.listener.ready]);
      const status = b.credentials.status;
      const read = status.listRevision.bind(status);
      status.listRevision = (listId) => {
        revisionReads++;
        return read(listId);
      };
    });
    after(async () => {
      await b?.close();
      await a?.close();
    });

    it('SQLite keeps reading the revision on every lookup: no listener', async function () {
      if (kind !== 'sqlite') this.skip();
      const service = await openTestService(await fresh());
      try {
        assert.equal(service.credentials.statusWatch, undefined);
      } finally {
        await service.close();
      }
    });

    itOnPostgres('verifies without reading the revision per request while listening', async () => {
      const { jwt } = await issue('steady');
      assert.equal((await verifyOnB(jwt)).verified, true); // builds B's copy
      revisionReads = 0;
      for (let i = 0; i < 5; i++) assert.equal((await verifyOnB(jwt)).verified, true);
      assert.equal(revisionReads, 0);
    });

    itOnPostgres('a revocation on A is refused by B on its next request after the announcement', async () => {
      const { id, jwt } = await issue('revoked-on-a');
      assert.equal((await verifyOnB(jwt)).verified, true);
      const announced = next(watchB.onAnnouncement);
      await a.credentials.status.revoke(id);
      await announced;
      const result = await verifyOnB(jwt);
      assert.equal(result.verified, false);
      assert.equal(statusCode(result), 'revoked');
    });

    itOnPostgres('announces nothing for a change that rolls back', async () => {
      const { id, jwt } = await issue('rolled-back');
      assert.equal((await verifyOnB(jwt)).verified, true);
      let announcements = 0;
      const off = watchB.onAnnouncement(() => announcements++);
      await assert.rejects(
        a.dataSource.transaction(async (manager) => {
          await a.credentials.status.revoke(id, manager);
          throw new Error('abort');
        }),
        /abort/,
      );
      // A committed change after it: its announcement arrives after any from the rolled-back one would have.
      const other = await issue('committed-after');
      const committed = next(watchB.onAnnouncement);
      await a.credentials.status.suspend(other.id);
      await committed;
      off();
      assert.equal(announcements, 1);
      assert.equal((await verifyOnB(jwt)).verified, true);
    });

    itOnPostgres(
      'stays correct when B’s listening connection is killed (revision read per request), then listens again',
      async function () {
        this.timeout(30_000);
        const first = await issue('while-down');
        assert.equal((await verifyOnB(first.jwt)).verified, true);
        const pid = watchB.listener.backendPid;
        assert.ok(pid, 'B listens on a connection of its own');
        const lost = next(watchB.onState, (listening) => !listening);
        const back = next(watchB.onState, (listening) => listening);
        await a.dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
        await lost;

        // A revocation announced to nobody: B reads the revision, and refuses at once.
        revisionReads = 0;
        await a.credentials.status.revoke(first.id);
        const refused = await verifyOnB(first.jwt);
        assert.equal(statusCode(refused), 'revoked');
        assert.ok(revisionReads > 0, 'B read the revision while its listener was down');

        await back;
        assert.notEqual(watchB.listener.backendPid, pid);
        const second = await issue('after-reconnect');
        assert.equal((await verifyOnB(second.jwt)).verified, true); // confirms B's copy in the new epoch
        revisionReads = 0;
        assert.equal((await verifyOnB(second.jwt)).verified, true);
        assert.equal(revisionReads, 0, 'no revision read once listening again');
        const announced = next(watchB.onAnnouncement);
        await a.credentials.status.revoke(second.id);
        await announced;
        assert.equal(statusCode(await verifyOnB(second.jwt)), 'revoked');
      },
    );

    itOnPostgres(
      'counts no copy as current once the last proof of a live connection is older than the bound',
      async () => {
        let clock = Date.now();
        // Probes far apart: only the injected clock ages the confirmation LISTEN gave.
        const watch = listeningRevisionWatch({
          databaseUrl: database.databaseUrl as string,
          now: () => clock,
          probeIntervalMs: 3_600_000,
        });
        try {
          await watch.listener.ready;
          const stamp = watch.stamp();
          assert.notEqual(stamp, undefined);
          assert.equal(watch.isCurrent('some-list', 1, stamp), true);
          clock += CONFIRMED_FOR_MS;
          assert.equal(watch.isCurrent('some-list', 1, stamp), true, 'still current at the bound');
          clock += 1;
          assert.equal(watch.listener.listening, true, 'the connection itself was never lost');
          assert.equal(watch.isCurrent('some-list', 1, stamp), false);
          assert.equal(watch.stamp(), undefined, 'a copy read now is not stamped as current either');
        } finally {
          await watch.close();
        }
      },
    );

    itOnPostgres(
      'stops answering verified for a credential revoked elsewhere while B’s database link stalls, and says revoked once it answers',
      async function () {
        this.timeout(120_000);
        const target = new URL(database.databaseUrl as string);
        const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
        const viaProxy = new URL(target.href);
        viaProxy.host = `127.0.0.1:${await proxy.start()}`;
        // Short statement bounds, so that each lookup during the stall fails within seconds.
        const c = await openTestService(
          { ...database, databaseUrl: viaProxy.href },
          { DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_CONNECT_TIMEOUT_MS: '1000' },
        );
        const verifyOnC = async (jwt: string) => {
          const response = await request(c.app.callback()).post(VERIFY).send({ credential: jwt });
          return {
            status: response.status,
            body: response.body as { verified?: boolean; checks?: { check: string; code?: string }[] },
          };
        };
        try {
          await c.credentials.statusWatch?.listener.ready;
          const { id, jwt } = await issue('stalled-link');
          const before = await verifyOnC(jwt);
          assert.equal(before.status, 200);
          assert.equal(before.body.verified, true); // C's copy is cached now
          proxy.stall();
          await a.credentials.status.revoke(id);
          // Generous: the bound is seconds, a loaded machine may add more; the old code passed until the stall ended.
          const deadline = Date.now() + 30_000;
          let during = await verifyOnC(jwt);
          while (during.status === 200 && during.body.verified === true && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            during = await verifyOnC(jwt);
          }
          if (during.status === 200) {
            assert.equal(during.body.verified, false, 'C still answers from a copy it cannot prove current');
            assert.equal(
              statusCode(during.body as { checks: { check: string; code?: string }[] }),
              'status_unavailable',
            );
          } else {
            assert.equal(during.status, 503);
            assert.equal(during.body && (during.body as { code?: string }).code, 'database_unavailable');
          }
          proxy.resume();
          let after = await verifyOnC(jwt);
          for (
            let attempt = 0;
            attempt < 60 && !(after.status === 200 && statusCode(after.body as never) === 'revoked');
            attempt++
          ) {
            await new Promise((resolve) => setTimeout(resolve, 500));
            after = await verifyOnC(jwt);
          }
          assert.equal(after.status, 200);
          assert.equal(after.body.verified, false);
          assert.equal(statusCode(after.body as { checks: { check: string; code?: string }[] }), 'revoked');
        } finally {
          proxy.resume();
          await c.close().catch(() => {});
          await proxy.cut();
        }
      },
    );
  },
);
