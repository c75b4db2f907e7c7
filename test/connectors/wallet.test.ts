/**
 * The holder wallet as a member's connector: a member admitted with the wallet (did:key,
 * Ed25519) gets connector tokens from the library (`requestConnectorToken`) and from the CLI
 * (`dataspace-trust wallet connector-token`), exactly as README "Connecting a connector" shows,
 * and a wallet whose DID is no member is refused `invalid_client`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import {
  type CreateWalletOptions,
  createWallet,
  requestConnectorToken,
  ServiceClient,
  ServiceError,
  type Wallet,
  WalletError,
} from '../../src/wallet/index.js';
import { legalPersonCredential } from '../governance/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { type DataSpace, decideMotion, me, openDataSpace } from './support.js';

const PASSPHRASE = 'correct horse battery';

async function wallet(options: Pick<CreateWalletOptions, 'method' | 'algorithm'> = {}) {
  const dir = join(mkdtempSync(join(tmpdir(), 'dst-connector-wallet-')), 'w');
  return createWallet({ dir, passphrase: PASSPHRASE, ...options });
}

describeEachDatabase('the holder wallet as a connector', (fresh) => {
  let space: DataSpace;
  let member: Wallet;

  before(async function () {
    this.timeout(120_000);
    space = await openDataSpace(await fresh());
    member = await wallet();
    const org = { legalName: 'Wallet Works Ltd', registrationNumber: 'HRB 7', country: 'NL' };
    await member.addCredential(await legalPersonCredential(space.register, member.did, org));
    const services = new ServiceClient(space.running.publicUrl);
    const receipt = await services.apply({
      wallet: member,
      roles: ['data-consumer'],
      ...org,
      contact: { email: 'connector@wallet.example' },
    });
    await decideMotion(space, receipt.motionId);
    await services.fetchMembershipCredential(member, receipt.id);
  });
  after(async () => space?.close());

  it('gets a token from the library, with its expiry, usable on /api/v1/connectors/me', async () => {
    const token = await requestConnectorToken({
      wallet: member,
      service: space.running.publicUrl,
      scopes: ['events', 'consents:check'],
    });
    assert.equal(token.expiresIn, 600);
    assert.deepEqual(token.scopes, ['events', 'consents:check']);
    assert.ok(
      Math.abs(Date.parse(token.expiresAt) - (decodeJwt(token.accessToken).exp as number) * 1000) < 5000,
    );
    const answer = await me(space.running, token.accessToken);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.did, member.did);
    assert.deepEqual(answer.body.member, {
      status: 'active',
      roles: ['data-consumer'],
      name: 'Wallet Works Ltd',
    });
  });

  it('prints the bare token from the CLI, and the token response with --json', async function () {
    this.timeout(60_000);
    const env = { WALLET_PASSPHRASE: PASSPHRASE };
    const base = ['wallet', 'connector-token', '--wallet', member.dir, '--service', space.running.publicUrl];
    const bare = await runCli([...base, '--scope', 'notices,events'], env);
    assert.equal(bare.code, 0, bare.stderr);
    const token = bare.stdout.trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const answer = await me(space.running, token);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.scopes, ['notices', 'events']);

    const json = await runCli([...base, '--scope', 'agreements', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const response = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(response.token_type, 'Bearer');
    assert.equal(response.expires_in, 600);
    assert.equal(response.scope, 'agreements');
    assert.ok(Date.parse(String(response.expires_at)) > Date.now());
    assert.equal((await me(space.running, String(response.access_token))).status, 200);
  });

  it('refuses a token without a scope it asked for (scope_not_granted), instead of an empty one', async () => {
    await assert.rejects(
      requestConnectorToken({ wallet: member, service: space.running.publicUrl, scopes: ['consent:check'] }),
      (error) => error instanceof WalletError && error.code === 'scope_not_granted',
    );
  });

  it('names the issuer the service reports when --service is another address of it than PUBLIC_URL (invalid_response)', async () => {
    const publicUrl = new URL(space.running.publicUrl);
    const other = `http://127.0.0.1:${publicUrl.port}`;
    assert.notEqual(other, space.running.publicUrl);
    await assert.rejects(
      requestConnectorToken({ wallet: member, service: other, scopes: ['events'] }),
      (error: { code?: string; message?: string }) =>
        error.code === 'invalid_response' &&
        (error.message ?? '').includes(`"${space.running.publicUrl}/oidc"`) &&
        (error.message ?? '').includes('PUBLIC_URL'),
    );
  });

  it('is refused invalid_client for a wallet whose DID is no member, by the library and the CLI', async function () {
    this.timeout(60_000);
    const stranger = await wallet({ method: 'did:jwk', algorithm: 'ES256' });
    await assert.rejects(
      requestConnectorToken({ wallet: stranger, service: space.running.publicUrl, scopes: ['events'] }),
      (error) => error instanceof ServiceError && error.code === 'invalid_client' && error.status === 401,
    );
    const refused = await runCli(
      [
        'wallet',
        'connector-token',
        '--wallet',
        stranger.dir,
        '--service',
        space.running.publicUrl,
        '--scope',
        'events',
      ],
      { WALLET_PASSPHRASE: PASSPHRASE },
    );
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /invalid_client \(HTTP 401\)/);
    assert.equal(refused.stdout, '');
  });
});
