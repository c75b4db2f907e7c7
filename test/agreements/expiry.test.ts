/**
 * The expiry job at scale (issue 13, agreements review): due agreements end as `expired` in
 * one transaction per batch of set-based statements (one UPDATE, one change of the credentials'
 * status bits, one audit append, one outbox append), never a round trip per agreement; each at
 * its own `endsAt`, with one audit entry and one event each, and the audit chain verifies. On
 * PostgreSQL two replicas running the job at the same moment end every agreement exactly once.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AgreementEntity, type AgreementRow } from '../../src/agreements/entities.js';
import { EXPIRY_BATCH } from '../../src/agreements/expiry.js';
import { AuditEntryEntity } from '../../src/audit/entities.js';
import { EventEntity } from '../../src/events/entities.js';
import type { Service } from '../../src/service.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';
import { type AgreementWorld, agreementWorld, concluded, storeAgreementCopies } from './support.js';

const AGREEMENTS = 2 * EXPIRY_BATCH;
/** Statements for AGREEMENTS agreements in three runs of a batch (about 40 when set-based; thousands one by one). */
const BOUND = 60;

/** Runs `work`, counting the statements sent on the transactions' query runners of `dataSource`. */
async function counted<T>(
  dataSource: DataSource,
  work: () => Promise<T>,
): Promise<{ result: T; statements: number }> {
  let statements = 0;
  const create = dataSource.createQueryRunner.bind(dataSource);
  const patched = new Map<object, unknown>();
  dataSource.createQueryRunner = ((...args: Parameters<typeof create>) => {
    const runner = create(...args);
    if (!patched.has(runner)) {
      const query = runner.query;
      patched.set(runner, query);
      runner.query = ((...queryArgs: Parameters<typeof query>) => {
        statements++;
        return query.apply(runner, queryArgs);
      }) as typeof runner.query;
    }
    return runner;
  }) as typeof dataSource.createQueryRunner;
  try {
    return { result: await work(), statements };
  } finally {
    dataSource.createQueryRunner = create;
    for (const [runner, query] of patched) (runner as { query: unknown }).query = query;
  }
}

describeEachDatabase('the expiry job over many agreements', (fresh, kind) => {
  let database: TestDatabase;
  let world: AgreementWorld;
  let model: AgreementRow;
  const base = Date.parse('2026-01-01T00:00:00.000Z');

  before(async function () {
    this.timeout(300_000);
    database = await fresh();
    world = await agreementWorld(database);
    const { agreement } = await concluded(world, world.utility, world.transit);
    model = await world.service.dataSource
      .getRepository(AgreementEntity)
      .findOneByOrFail({ id: agreement.id });
    // The model itself stays active without an end: the job leaves it alone.
  });
  after(async () => world?.close());

  /** AGREEMENTS copies of the concluded one, each due at its own second, a few of them suspended, each with credentials of its own. */
  async function dueAgreements(): Promise<AgreementRow[]> {
    const copies: AgreementRow[] = [];
    for (let i = 0; i < AGREEMENTS; i++) {
      copies.push({
        ...model,
        id: `agreement-${randomUUID()}`,
        requestKey: null,
        status: i % 10 === 0 ? 'suspended' : 'active',
        endsAt: new Date(base + i * 1000).toISOString(),
        providerCredentialId: `urn:uuid:${randomUUID()}`,
        consumerCredentialId: `urn:uuid:${randomUUID()}`,
      });
    }
    await storeAgreementCopies(world, copies);
    return copies;
  }

  /** Each of `copies` expired once, at its end: row, credentials, one audit entry and one event. */
  async function assertExpiredOnce(copies: readonly AgreementRow[]) {
    const dataSource = world.service.dataSource;
    const ids = copies.map((copy) => copy.id).sort();
    const rows = await dataSource
      .getRepository(AgreementEntity)
      .findBy(copies.map((copy) => ({ id: copy.id })));
    assert.equal(rows.length, AGREEMENTS);
    for (const row of rows) {
      assert.equal(row.status, 'expired');
      assert.equal(row.statusAt, row.endsAt);
      assert.equal(row.endedBy, 'service');
    }
    const statuses = await Promise.all(
      rows.flatMap((row) =>
        [row.providerCredentialId, row.consumerCredentialId].map((id) =>
          world.service.credentials.status.statusOf(id as string),
        ),
      ),
    );
    assert.ok(statuses.every((status) => status.revoked));
    const entries = (
      await dataSource.getRepository(AuditEntryEntity).findBy({ kind: 'agreement.expired' })
    ).filter((entry) => ids.includes(entry.subject as string));
    assert.deepEqual(entries.map((entry) => entry.subject).sort(), ids);
    const ends = new Map(copies.map((copy) => [copy.id, copy.endsAt]));
    for (const entry of entries) {
      const data = JSON.parse(entry.data);
      assert.equal(data.expiredAt, ends.get(entry.subject as string));
      assert.equal(data.reasonCode, 'expired');
    }
    const events = (await dataSource.getRepository(EventEntity).findBy({ type: 'agreement.expired' })).filter(
      (event) => ids.includes(event.subject),
    );
    assert.deepEqual(events.map((event) => event.subject).sort(), ids);
    const verification = await world.service.audit.verify();
    assert.equal(verification.valid, true, JSON.stringify(verification));
    const untouched = await dataSource.getRepository(AgreementEntity).findOneByOrFail({ id: model.id });
    assert.equal(untouched.status, 'active');
  }

  it(`expires ${AGREEMENTS} agreements, each at its own end, in at most ${BOUND} statements`, async function () {
    this.timeout(120_000);
    const copies = await dueAgreements();
    const now = new Date(base + AGREEMENTS * 1000);
    const { result, statements } = await counted(world.service.dataSource, () =>
      world.service.agreements.expireDue(now),
    );
    assert.equal(result, AGREEMENTS);
    assert.ok(statements <= BOUND, `${statements} statements for ${AGREEMENTS} agreements`);
    await assertExpiredOnce(copies);
    assert.equal(await world.service.agreements.expireDue(now), 0);
  });

  it('two replicas running the job at the same moment end each agreement exactly once', async function () {
    if (kind !== 'postgres') this.skip();
    this.timeout(120_000);
    const copies = await dueAgreements();
    const replica: Service = await openTestService(database, { PUBLIC_URL: world.service.config.publicUrl });
    try {
      const now = new Date(base + AGREEMENTS * 1000);
      const counts = await Promise.all([
        world.service.agreements.expireDue(now),
        replica.agreements.expireDue(now),
      ]);
      assert.equal(counts[0] + counts[1], AGREEMENTS, `ended ${counts.join(' + ')}`);
      await assertExpiredOnce(copies);
    } finally {
      await replica.close();
    }
  });
});
