/**
 * The operator's read side of the register from the CLI (issue 13 review item 5;
 * docs/agreements.md "Operator CLI"): `dataspace-trust offers list|show` and `agreements
 * list|show|check`, against the database with the service's configuration, printing the HTTP
 * API's shapes; a check by the operator counts no use.
 */
import { strict as assert } from 'node:assert';
import { AgreementEntity } from '../../src/agreements/entities.js';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { TEST_SECRET } from '../support/service.js';
import { type AgreementWorld, agreementWorld, concluded } from './support.js';

describeEachDatabase('dataspace-trust offers / agreements (operator)', (fresh) => {
  let world: AgreementWorld;
  let database: TestDatabase;
  let offerId: string;
  let agreementId: string;
  before(async function () {
    this.timeout(240_000);
    database = await fresh();
    world = await agreementWorld(database);
    const { offer, agreement } = await concluded(world, world.city, world.transit);
    offerId = offer.id;
    agreementId = agreement.id;
  });
  after(async () => world?.close());

  const cli = async (...args: string[]) => {
    const result = await runCli(args, {
      DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl,
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      PUBLIC_URL: world.service.config.publicUrl,
      LOG_LEVEL: 'silent',
    });
    return { ...result, json: () => JSON.parse(result.stdout) as Record<string, unknown> };
  };

  it('offers list and show print the API’s page and offer', async function () {
    this.timeout(60_000);
    const listed = await cli('offers', 'list', '--provider', world.city.did);
    assert.equal(listed.code, 0, listed.stderr);
    const page = listed.json() as { items: { id: string }[] };
    assert.deepEqual(
      page.items.map((item) => item.id),
      [offerId],
    );
    const shown = await cli('offers', 'show', offerId);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.json().id, offerId);
    assert.equal(shown.json().provider, world.city.did);
  });

  it('agreements list (filtered) and show', async function () {
    this.timeout(60_000);
    const listed = await cli('agreements', 'list', '--status', 'active', '--consumer', world.transit.did);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      (listed.json().items as { id: string }[]).map((item) => item.id),
      [agreementId],
    );
    const none = await cli('agreements', 'list', '--status', 'suspended');
    assert.deepEqual(none.json().items, []);
    const shown = await cli('agreements', 'show', agreementId);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(shown.json().status, 'active');
    assert.equal(shown.json().consumer, world.transit.did);
  });

  it('agreements check: permitted for an allowed purpose, refused for another; no use counted', async function () {
    this.timeout(60_000);
    const base = [
      'agreements',
      'check',
      '--agreement',
      agreementId,
      '--action',
      'read',
      '--spatial',
      'DE300',
    ];
    const allowed = await cli(...base, '--purpose', 'dpv:ServiceProvision');
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(allowed.json().permitted, true);
    const refused = await cli(...base, '--purpose', 'dpv:ServiceUsageAnalytics');
    assert.equal(refused.code, 0, refused.stderr);
    assert.equal(refused.json().permitted, false);
    assert.ok(
      (refused.json().reasons as string[]).some((reason) => reason.startsWith('constraint_failed:purpose')),
    );
    const row = await world.service.dataSource
      .getRepository(AgreementEntity)
      .findOneByOrFail({ id: agreementId });
    assert.equal(Number(row.uses), 0);
  });

  it('refusals exit non-zero with the code: an unknown agreement, a bad status', async function () {
    this.timeout(60_000);
    const unknown = await cli('agreements', 'show', 'agreement-none');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /agreement_not_found/);
    const status = await cli('agreements', 'list', '--status', 'dormant');
    assert.notEqual(status.code, 0);
    assert.match(status.stderr, /invalid_request/);
  });
});
