import { strict as assert } from 'node:assert';
import request from 'supertest';
import type { ListeningRevisionWatch } from '../../../src/credentials/status/revision-watch.js';
import type { Service } from '../../../src/service.js';
import { describeEachDatabase } from '../../support/databases.js';
import { openTestService } from '../../support/service.js';

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
      const database = await fresh();
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
  },
);
