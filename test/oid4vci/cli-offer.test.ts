/**
 * `dataspace-trust credentials offer --member <did>` as a real process on the service's database:
 * the offer it prints is served by reference and redeemed at the running service (another
 * process: the offer, its pre-authorized code and its tx_code are shared through the database
 * and the service secret, as between replicas).
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import { describeEachDatabase, type TestDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { TEST_SECRET } from '../support/service.js';
import { preAuthorizedCode, tokenRequest, type World, world } from './support.js';

describeEachDatabase('dataspace-trust credentials offer (a real process)', (fresh) => {
  let w: World;
  let database: TestDatabase;
  let env: Record<string, string>;

  before(async function () {
    this.timeout(60_000);
    database = await fresh();
    w = await world(database);
    env = {
      DATA_DIR: database.dataDir,
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      KEY_ENCRYPTION_SECRET: TEST_SECRET,
      PUBLIC_URL: w.running.publicUrl,
      LOG_LEVEL: 'error',
    };
  });
  after(async () => w?.running.close());

  it("prints an offer of the member's MembershipCredential that the running service redeems", async function () {
    this.timeout(60_000);
    const result = await runCli(['credentials', 'offer', '--member', w.member.did, '--no-qr'], env);
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as {
      credentialOfferUri: string;
      links: { byReference: string; byValue: string };
      txCode: string;
      expiresAt: string;
    };
    // The same shape as `wallet credential-offer` prints (docs/oid4vci.md).
    assert.deepEqual(Object.keys(printed), ['credentialOfferUri', 'links', 'txCode', 'expiresAt']);
    assert.deepEqual(Object.keys(printed.links), ['byReference', 'byValue']);
    assert.equal(
      printed.links.byReference,
      `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(printed.credentialOfferUri)}`,
    );
    assert.match(printed.links.byValue, /^openid-credential-offer:\/\/\?credential_offer=/);
    assert.ok(Date.parse(printed.expiresAt) > Date.now());
    const offer = (await request(w.app).get(new URL(printed.credentialOfferUri).pathname).expect(200)).body;
    assert.equal(offer.credential_issuer, w.issuer);
    const token = await tokenRequest(w.app, preAuthorizedCode(offer), printed.txCode).expect(200);
    assert.equal(token.body.token_type, 'Bearer');
  });

  it('exits non-zero with credential_request_denied for a DID that is not an active member', async function () {
    this.timeout(60_000);
    const result = await runCli(
      ['credentials', 'offer', '--member', 'did:web:nobody.example', '--no-qr'],
      env,
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /credential_request_denied/);
  });
});
