/**
 * The project's holder wallet receives its MembershipCredential through OpenID4VCI 1.0 as a real
 * process: `dataspace-trust wallet receive <openid-credential-offer:// link> --tx-code <code>`
 * (offer by reference → metadata → token → nonce → key proof → credential → notification), and
 * `wallet receive --authorize` through the authorization code grant.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import { openWallet, type Wallet } from '../../src/wallet/index.js';
import type { Actor } from '../governance/support.js';
import { newWallet } from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { applicantOffer, type World, worldWith } from './support.js';

const PASSPHRASE = 'correct horse battery';

function actorOf(wallet: Wallet): Actor {
  return { did: wallet.did, kid: wallet.kid, sign: (payload, typ = 'JWT') => wallet.sign(payload, { typ }) };
}

describeEachDatabase('dataspace-trust wallet receive (a real process)', (fresh) => {
  let w: World<Actor>;
  let wallet: Wallet;
  const env = { WALLET_PASSPHRASE: PASSPHRASE };

  before(async function () {
    this.timeout(60_000);
    wallet = await newWallet();
    w = await worldWith(await fresh(), actorOf(wallet));
  });
  after(async () => w?.running.close());

  it('redeems the offer by reference with the transaction code and stores the MembershipCredential', async function () {
    this.timeout(60_000);
    const offered = (await applicantOffer(w)).body;
    const result = await runCli(
      ['wallet', 'receive', offered.links.byReference, '--tx-code', offered.txCode, '--wallet', wallet.dir],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { configurationId: string; stored: string[] };
    assert.equal(printed.configurationId, 'MembershipCredential_jwt_vc_json');
    assert.equal(printed.stored.length, 1);
    const reopened = await openWallet({ dir: wallet.dir, passphrase: PASSPHRASE });
    assert.equal(reopened.credentials({ type: 'MembershipCredential' }).length, 1);
    const accepted = (await w.service.audit.page({ limit: 1000 })).items.filter(
      (entry) => entry.kind === 'oid4vci.credential.accepted',
    );
    assert.deepEqual(
      accepted.map((entry) => entry.actor),
      [wallet.did],
    );
  });

  it('wallet credential-offer asks the service for the offer of the admitted application; wallet receive redeems it', async function () {
    this.timeout(90_000);
    const asked = await runCli(
      [
        'wallet',
        'credential-offer',
        '--service',
        w.running.publicUrl,
        '--application',
        w.applicationId,
        '--wallet',
        wallet.dir,
      ],
      env,
    );
    assert.equal(asked.code, 0, asked.stderr);
    const offer = JSON.parse(asked.stdout) as {
      credentialOfferUri: string;
      links: { byReference: string; byValue: string };
      txCode: string;
    };
    // The same shape as `credentials offer` prints (docs/oid4vci.md).
    assert.deepEqual(Object.keys(offer), ['credentialOfferUri', 'links', 'txCode', 'expiresAt']);
    assert.deepEqual(Object.keys(offer.links), ['byReference', 'byValue']);
    assert.equal(
      offer.links.byReference,
      `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(offer.credentialOfferUri)}`,
    );
    const received = await runCli(
      ['wallet', 'receive', offer.links.byReference, '--tx-code', offer.txCode, '--wallet', wallet.dir],
      env,
    );
    assert.equal(received.code, 0, received.stderr);
    assert.equal((JSON.parse(received.stdout) as { stored: string[] }).stored.length, 1);
  });

  it('receives the SD-JWT VC configuration, and through the authorization code grant with --authorize, and lists both', async function () {
    this.timeout(120_000);
    const offered = (await applicantOffer(w)).body;
    const sdJwt = await runCli(
      [
        'wallet',
        'receive',
        offered.links.byReference,
        '--tx-code',
        offered.txCode,
        '--configuration',
        'MembershipCredential_dc+sd-jwt',
        '--wallet',
        wallet.dir,
      ],
      env,
    );
    assert.equal(sdJwt.code, 0, sdJwt.stderr);
    // The wallet holds the JWT MembershipCredential (first test): it proves membership with it.
    const authorized = await runCli(
      [
        'wallet',
        'receive',
        '--authorize',
        '--issuer',
        w.running.publicUrl,
        '--configuration',
        'MembershipCredential_dc+sd-jwt',
        '--wallet',
        wallet.dir,
      ],
      env,
    );
    assert.equal(authorized.code, 0, authorized.stderr);
    assert.match(authorized.stderr, /Authorization request: http:\/\/localhost:\d+\/oid4vci\/authorize\?/);
    const listed = await runCli(['wallet', 'list', '--wallet', wallet.dir], env);
    const formats = (JSON.parse(listed.stdout) as { format: string }[]).map((c) => c.format);
    assert.equal(formats.filter((f) => f === 'dc+sd-jwt').length, 2, listed.stdout);
  });

  it('wallet list --type MembershipCredential lists a wallet that holds only the SD-JWT VC, and the service verifies what it prints (README step 5)', async function () {
    this.timeout(90_000);
    const sdJwtOnly = await newWallet();
    const offered = (await applicantOffer(w)).body;
    const received = await runCli(
      [
        'wallet',
        'receive',
        offered.links.byReference,
        '--tx-code',
        offered.txCode,
        '--configuration',
        'MembershipCredential_dc+sd-jwt',
        '--wallet',
        sdJwtOnly.dir,
      ],
      env,
    );
    assert.equal(received.code, 0, received.stderr);
    const listed = await runCli(
      ['wallet', 'list', '--wallet', sdJwtOnly.dir, '--type', 'MembershipCredential', '--jwt'],
      env,
    );
    assert.equal(listed.code, 0, listed.stderr);
    const credentials = JSON.parse(listed.stdout) as {
      format: string;
      vct: string;
      credentialType: string;
      jwt: string;
    }[];
    assert.deepEqual(
      credentials.map(({ format, vct, credentialType }) => ({ format, vct, credentialType })),
      [
        {
          format: 'dc+sd-jwt',
          vct: `${w.running.publicUrl}/vct/membership`,
          credentialType: 'MembershipCredential',
        },
      ],
    );
    // The vct itself still selects it; another type does not.
    const byVct = await runCli(
      ['wallet', 'list', '--wallet', sdJwtOnly.dir, '--type', `${w.running.publicUrl}/vct/membership`],
      env,
    );
    assert.equal((JSON.parse(byVct.stdout) as unknown[]).length, 1);
    const other = await runCli(
      ['wallet', 'list', '--wallet', sdJwtOnly.dir, '--type', 'LegalPersonCredential'],
      env,
    );
    assert.deepEqual(JSON.parse(other.stdout), []);
    const verified = await request(w.app)
      .post('/api/v1/credentials/verify')
      .send({ credential: credentials.at(-1)?.jwt })
      .expect(200);
    assert.equal(verified.body.verified, true, JSON.stringify(verified.body));
  });

  it('wallet list --type MembershipCredential still lists the JWT MembershipCredential', async function () {
    this.timeout(60_000);
    const listed = await runCli(
      ['wallet', 'list', '--wallet', wallet.dir, '--type', 'MembershipCredential'],
      env,
    );
    assert.equal(listed.code, 0, listed.stderr);
    const formats = (JSON.parse(listed.stdout) as { format: string }[]).map((c) => c.format);
    assert.equal(formats.filter((format) => format === 'jwt_vc_json').length, 1, listed.stdout);
  });

  it('exits non-zero with invalid_credential_offer without the transaction code the offer asks for', async function () {
    this.timeout(60_000);
    const offered = (await applicantOffer(w)).body;
    const result = await runCli(
      ['wallet', 'receive', offered.links.byReference, '--wallet', wallet.dir],
      env,
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /invalid_credential_offer/);
  });

  it('exits non-zero with invalid_grant for a wrong transaction code', async function () {
    this.timeout(60_000);
    const offered = (await applicantOffer(w)).body;
    const wrong = offered.txCode === '000000' ? '000001' : '000000';
    const result = await runCli(
      ['wallet', 'receive', offered.links.byValue, '--tx-code', wrong, '--wallet', wallet.dir],
      env,
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /invalid_grant/);
  });
});
