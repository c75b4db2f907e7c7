import { strict as assert } from 'node:assert';
import type { Service } from '../../src/service.js';
import { describeEachDatabase } from '../support/databases.js';
import { openTestService } from '../support/service.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const PAST = '2026-06-01T11:59:59.000Z';
const FUTURE = '2026-06-01T12:05:00.000Z';

async function seed(service: Service): Promise<void> {
  const q = (sql: string) => service.dataSource.query(sql);
  await q(
    `INSERT INTO membership_challenge (challenge_hash, expires_at) VALUES ('${'a'.repeat(64)}', '${PAST}')`,
  );
  await q(
    `INSERT INTO membership_challenge (challenge_hash, expires_at) VALUES ('${'b'.repeat(64)}', '${FUTURE}')`,
  );
  for (const [state, expiresAt] of [
    ['expired', PAST],
    ['live', FUTURE],
  ]) {
    await q(
      `INSERT INTO oid4vp_transaction (state, interaction_uid, nonce, client_id, query, status, created_at, expires_at) VALUES ('${state}', 'uid-${state}', 'n', 'rp', '{}', 'pending', '${PAST}', '${expiresAt}')`,
    );
  }
  await q(`INSERT INTO rate_limit (key, points, expire) VALUES ('old', 1, ${NOW.getTime() - 1})`);
  await q(`INSERT INTO rate_limit (key, points, expire) VALUES ('new', 1, ${NOW.getTime() + 60_000})`);
}

async function remaining(service: Service) {
  const column = async (sql: string) =>
    (await service.dataSource.query(sql)).map((row: { k: string }) => row.k);
  return {
    challenges: await column('SELECT expires_at AS k FROM membership_challenge'),
    transactions: await column('SELECT state AS k FROM oid4vp_transaction'),
    counters: await column('SELECT key AS k FROM rate_limit'),
  };
}

describeEachDatabase('sweep of expired rows (issue 8 item 8)', (fresh) => {
  let service: Service;
  beforeEach(async function () {
    this.timeout(20_000);
    service = await openTestService(await fresh(), {}, { now: () => NOW });
  });
  afterEach(() => service.close());

  it('deletes expired challenges, wallet-login transactions and rate-limit counters; live ones stay', async () => {
    await seed(service);
    const deleted = await service.sweep();
    assert.deepEqual(deleted, {
      membership_challenge: 1,
      oid4vp_transaction: 1,
      rate_limit: 1,
      event_delivery_attempt: 0,
      event_delivery: 0,
      portal_session: 0,
      oid4vci_offer: 0,
      oid4vci_token: 0,
      oid4vci_notification: 0,
      oid4vci_authorization: 0,
      oid4vci_pushed_request: 0,
      agreement_check_key: 0,
    });
    assert.deepEqual(await remaining(service), {
      challenges: [FUTURE],
      transactions: ['live'],
      counters: ['new'],
    });
  });

  it('sweeps running at once on two instances delete each row once and fail nowhere', async () => {
    await seed(service);
    const other = await openTestService(
      {
        kind: service.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite',
        dataDir: service.config.dataDir,
        databaseUrl: service.config.databaseUrl,
      },
      {},
      { now: () => NOW },
    );
    try {
      const results = await Promise.all([service.sweep(), other.sweep(), service.sweep()]);
      const total = results
        .filter((result) => result !== undefined)
        .reduce((sum, result) => sum + Object.values(result ?? {}).reduce((a, b) => a + b, 0), 0);
      assert.equal(total, 3);
      assert.deepEqual(await remaining(service), {
        challenges: [FUTURE],
        transactions: ['live'],
        counters: ['new'],
      });
    } finally {
      await other.close();
    }
  });
});
