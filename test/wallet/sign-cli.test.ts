/**
 * `dataspace-trust wallet login` answering a request that carries OpenID4VP `transaction_data`
 * (§5.1, §8.4), as a real process: the portal's membership application. The CLI shows the decoded
 * items on stderr before anything is signed; without a terminal to ask on and without
 * `--sign-transaction-data` it signs nothing (`transaction_data_declined`); with it, the
 * presentation carries the items' hashes and the verifier accepts it.
 */
import { strict as assert } from 'node:assert';
import { createWallet } from '../../src/wallet/index.js';
import { anchorsDir, legalPersonCredential, newActor } from '../governance/support.js';
import { type Running, startService } from '../oidc/support.js';
import { csrfOf } from '../portal/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { PASSPHRASE, tempWalletDir } from './support.js';

const ORG = { legalName: 'City of Example', registrationNumber: 'HRB 12345', country: 'DE' };

describeEachDatabase('dataspace-trust wallet login with transaction data (a real process)', (fresh) => {
  const temp = tempWalletDir();
  const env = { WALLET_PASSPHRASE: PASSPHRASE };
  let running: Running;

  before(async function () {
    this.timeout(60_000);
    const register = await newActor();
    running = await startService(await fresh(), { TRUST_ANCHORS_DIR: anchorsDir(register) });
    const wallet = await createWallet({ dir: temp.dir, passphrase: PASSPHRASE });
    await wallet.addCredential(await legalPersonCredential(register, wallet.did, ORG));
  });
  after(async () => {
    await running?.close();
    temp.remove();
  });

  /** The portal's application form, posted: the cross-device link and the page's poll. */
  async function applyLink(): Promise<{ link: string; status: () => Promise<unknown> }> {
    const form = await fetch(`${running.publicUrl}/portal/apply`);
    let cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const posted = await fetch(`${running.publicUrl}/portal/apply`, {
      method: 'POST',
      headers: { cookie, origin: running.publicUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        csrf_token: csrfOf(await form.text()),
        ...ORG,
        'role-data-consumer': 'on',
        email: 'data@city.example',
      }),
    });
    const html = await posted.text();
    assert.equal(posted.status, 200, html);
    cookie = (posted.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const link = (/<code id="cross-device-url">([^<]+)<\/code>/.exec(html)?.[1] ?? '').replaceAll(
      '&amp;',
      '&',
    );
    const statusUrl = /fetch\("([^"]+)"/.exec(html)?.[1] as string;
    return {
      link,
      status: async () => (await fetch(`${running.publicUrl}${statusUrl}`, { headers: { cookie } })).json(),
    };
  }

  it('shows the decoded application and signs nothing without --sign-transaction-data (transaction_data_declined)', async function () {
    this.timeout(60_000);
    const { link, status } = await applyLink();
    const result = await runCli(['wallet', 'login', link, '--wallet', temp.dir], env);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /dataspace_membership_application/);
    assert.match(result.stderr, /"legalName": "City of Example"/);
    assert.match(result.stderr, /transaction_data_declined/);
    assert.deepEqual(await status(), { status: 'pending' });
  });

  it('signs the transaction data with --sign-transaction-data: the verifier accepts the answer', async function () {
    this.timeout(60_000);
    const { link, status } = await applyLink();
    const result = await runCli(
      ['wallet', 'login', link, '--wallet', temp.dir, '--sign-transaction-data'],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /dataspace_membership_application/);
    const printed = JSON.parse(result.stdout) as { signed: { type: string; roles: string[] }[] };
    assert.deepEqual(
      printed.signed.map((item) => [item.type, item.roles]),
      [['dataspace_membership_application', ['data-consumer']]],
    );
    assert.deepEqual(await status(), { status: 'presented' });
  });
});
