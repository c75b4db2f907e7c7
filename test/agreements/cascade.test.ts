/**
 * The membership cascade at scale (issue 13, review item 1): suspending, reinstating or
 * revoking a member with many agreements changes them all in the decision's transaction in a
 * bounded number of statements (set-based updates, one set-based change of the credentials'
 * status bits, one batched append to the audit log and one to the outbox), never a round trip
 * per agreement. Still one audit entry and one event per agreement, and the audit chain verifies.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AgreementEntity, type AgreementRow } from '../../src/agreements/entities.js';
import { AuditEntryEntity } from '../../src/audit/entities.js';
import { inTransaction } from '../../src/db/index.js';
import { EventEntity } from '../../src/events/entities.js';
import { describeEachDatabase } from '../support/databases.js';
import { type AgreementWorld, agreementWorld, concluded, storeAgreementCopies } from './support.js';

const AGREEMENTS = 200;
/** Statements the cascade may take for AGREEMENTS agreements (about 20 when set-based; thousands one by one). */
const BOUND = 40;

describeEachDatabase('the membership cascade over many agreements', (fresh) => {
  let world: AgreementWorld;
  let ids: string[];
  before(async function () {
    this.timeout(300_000);
    world = await agreementWorld(await fresh());
    const { agreement } = await concluded(world, world.utility, world.transit);
    const repository = world.service.dataSource.getRepository(AgreementEntity);
    const model = await repository.findOneByOrFail({ id: agreement.id });
    // The other agreements: copies of a concluded one, each with credentials of its own status entries.
    const copies: AgreementRow[] = [];
    for (let i = 1; i < AGREEMENTS; i++) {
      copies.push({
        ...model,
        id: `agreement-${randomUUID()}`,
        requestKey: null,
        providerCredentialId: `urn:uuid:${randomUUID()}`,
        consumerCredentialId: `urn:uuid:${randomUUID()}`,
      });
    }
    await storeAgreementCopies(world, copies);
    ids = [agreement.id, ...copies.map((copy) => copy.id)].sort();
  });
  after(async () => world?.close());

  /** Runs the cascade for `change` in a transaction of its own, counting the statements it sends. */
  async function cascade(change: 'suspended' | 'reinstated' | 'revoked'): Promise<number> {
    let statements = 0;
    await inTransaction(world.service.dataSource, undefined, async (manager: EntityManager) => {
      const runner = manager.queryRunner;
      if (!runner) throw new Error('a transaction has a query runner');
      const query = runner.query.bind(runner);
      runner.query = ((...args: Parameters<typeof query>) => {
        statements++;
        return query(...args);
      }) as typeof runner.query;
      try {
        const changed = await world.service.agreements.partyStatusChanged(
          { did: world.utility.did, change, motion: 'motion-42' },
          manager,
        );
        assert.equal(changed, AGREEMENTS);
      } finally {
        runner.query = query;
      }
    });
    return statements;
  }

  const statuses = async () =>
    new Set((await world.service.dataSource.getRepository(AgreementEntity).find()).map((row) => row.status));
  const credentialsOf = async () => {
    const rows = await world.service.dataSource.getRepository(AgreementEntity).find();
    return Promise.all(
      rows.flatMap((row) =>
        [row.providerCredentialId, row.consumerCredentialId].map((id) =>
          world.service.credentials.status.statusOf(id as string),
        ),
      ),
    );
  };
  const recorded = async (kind: string) => {
    const entries = await world.service.dataSource.getRepository(AuditEntryEntity).findBy({ kind });
    const events = await world.service.dataSource.getRepository(EventEntity).findBy({ type: kind });
    return {
      entries: entries.map((entry) => ({ subject: entry.subject, data: JSON.parse(entry.data) })),
      subjects: entries.map((entry) => entry.subject).sort(),
      events: events.map((event) => event.subject).sort(),
    };
  };

  it(`suspends ${AGREEMENTS} agreements in at most ${BOUND} statements, with an audit entry and an event each`, async function () {
    this.timeout(120_000);
    const statements = await cascade('suspended');
    assert.ok(statements <= BOUND, `${statements} statements for ${AGREEMENTS} agreements`);
    assert.deepEqual([...(await statuses())], ['suspended']);
    const credentials = await credentialsOf();
    assert.equal(credentials.length, 2 * AGREEMENTS);
    assert.ok(credentials.every((status) => status.suspended && !status.revoked));
    const { subjects, events, entries } = await recorded('agreement.suspended');
    assert.deepEqual(subjects, ids);
    assert.deepEqual(events, ids);
    assert.ok(
      entries.every((entry) => entry.data.party === world.utility.did && entry.data.motion === 'motion-42'),
    );
    const verification = await world.service.audit.verify();
    assert.equal(verification.valid, true, JSON.stringify(verification));
  });

  it(`reinstates them in at most ${BOUND} statements`, async function () {
    this.timeout(120_000);
    const statements = await cascade('reinstated');
    assert.ok(statements <= BOUND, `${statements} statements for ${AGREEMENTS} agreements`);
    assert.deepEqual([...(await statuses())], ['active']);
    assert.ok((await credentialsOf()).every((status) => !status.suspended && !status.revoked));
    const { subjects, events } = await recorded('agreement.reinstated');
    assert.deepEqual(subjects, ids);
    assert.deepEqual(events, ids);
    const rows = await world.service.dataSource.getRepository(AgreementEntity).find();
    assert.ok(rows.every((row) => row.suspendedParties === '[]'));
  });

  it(`terminates them in at most ${BOUND} statements when the membership is revoked; the public log holds a code, not the reason's text`, async function () {
    this.timeout(120_000);
    const statements = await cascade('revoked');
    assert.ok(statements <= BOUND, `${statements} statements for ${AGREEMENTS} agreements`);
    assert.deepEqual([...(await statuses())], ['terminated']);
    assert.ok((await credentialsOf()).every((status) => status.revoked));
    const { subjects, events, entries } = await recorded('agreement.terminated');
    assert.deepEqual(subjects, ids);
    assert.deepEqual(events, ids);
    for (const entry of entries) {
      assert.equal(entry.data.reasonCode, 'membership_revoked');
      assert.equal(entry.data.reason, undefined);
    }
    const verification = await world.service.audit.verify();
    assert.equal(verification.valid, true, JSON.stringify(verification));
  });
});
