/**
 * `dataspace-trust wallet login <openid4vp URL>` as a real process (OpenID4VP 1.0 §5, §8.2):
 * the login page of the service shows the cross-device URL, the CLI fetches the request object,
 * presents the wallet's MembershipCredential by direct_post, and the browser, polling with its
 * interaction cookie, lands back at the relying party with an ID token.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as client from 'openid-client';
import { createWallet } from '../../src/wallet/index.js';
import {
  Browser,
  giveMembership,
  ORGANISATION,
  REDIRECT_URI,
  type Running,
  relyingParty,
  startLogin,
  startService,
  walletUrls,
} from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { runCli } from '../support/process.js';
import { PASSPHRASE, tempWalletDir } from './support.js';

describeEachDatabase('dataspace-trust wallet login (a real process)', (fresh) => {
  const temp = tempWalletDir();
  const env = { WALLET_PASSPHRASE: PASSPHRASE };
  let running: Running;
  let rp: client.Configuration;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
    rp = await relyingParty(running, ['membership']);
    const member = await createWallet({ dir: `${temp.dir}-member`, passphrase: PASSPHRASE });
    await giveMembership(running.service, member);
  });
  after(async () => {
    await running?.close();
    temp.remove();
  });

  /** A browser at the login page of a new authorization request. */
  async function loginPage() {
    const browser = new Browser(running.publicUrl);
    const started = await startLogin(rp, 'openid membership');
    const page = await browser.navigate(started.authorizationUrl.href);
    assert.equal(page.response.status, 200);
    const uid = new URL(page.url).pathname.split('/').at(-1) as string;
    return { browser, started, uid, urls: walletUrls(await page.response.text()) };
  }

  it('completes a cross-device login: the browser learns of it by polling and gets its ID token', async function () {
    this.timeout(60_000);
    const { browser, started, uid, urls } = await loginPage();

    const statusUrl = `${running.issuer}/interaction/${uid}/status`;
    assert.deepEqual(await (await browser.request(statusUrl)).json(), { status: 'pending' });

    const result = await runCli(['wallet', 'login', urls.crossDevice, '--wallet', `${temp.dir}-member`], env);
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { clientId: string; presented: Record<string, string> };
    assert.match(printed.clientId, /^decentralized_identifier:did:web:localhost/);
    assert.equal(Object.keys(printed.presented).length, 1);
    assert.equal(Object.hasOwn(printed, 'redirectUri'), false, 'cross-device: no redirect for the wallet');

    const status = (await (await browser.request(statusUrl)).json()) as { status: string; continue: string };
    assert.equal(status.status, 'presented');
    const back = await browser.navigate(new URL(status.continue, running.publicUrl).href);
    assert.ok(back.url.startsWith(REDIRECT_URI), `lands at the relying party, not ${back.url}`);
    const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    assert.equal(tokens.claims()?.organisation, ORGANISATION);
  });

  it('completes a same-device login without a manual step: the CLI opens the redirect_uri in the browser ($BROWSER)', async function () {
    this.timeout(60_000);
    const { browser, started, urls } = await loginPage();
    // The "browser" the CLI opens: a command that hands the URL over, as xdg-open would.
    const dir = mkdtempSync(join(tmpdir(), 'dst-browser-'));
    const handedOver = join(dir, 'opened');
    const opener = join(dir, 'browser.sh');
    writeFileSync(opener, `#!/bin/sh\nprintf '%s' "$1" > '${handedOver}'\n`, { mode: 0o755 });

    const result = await runCli(['wallet', 'login', urls.sameDevice, '--wallet', `${temp.dir}-member`], {
      ...env,
      BROWSER: opener,
    });
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { redirectUri: string; opened: boolean };
    assert.equal(printed.opened, true);
    let opened = '';
    for (let i = 0; i < 100 && opened === ''; i++) {
      opened = existsSync(handedOver) ? readFileSync(handedOver, 'utf8') : '';
      if (opened === '') await sleep(20);
    }
    assert.equal(opened, printed.redirectUri);

    // The browser that started the login (its interaction cookie) follows the opened address.
    const back = await browser.navigate(opened);
    assert.ok(back.url.startsWith(REDIRECT_URI), `lands at the relying party, not ${back.url}`);
    const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    assert.equal(tokens.claims()?.organisation, ORGANISATION);
  });

  it('--no-open prints the same-device redirectUri and opens nothing', async function () {
    this.timeout(60_000);
    const { urls } = await loginPage();
    const result = await runCli(
      ['wallet', 'login', urls.sameDevice, '--wallet', `${temp.dir}-member`, '--no-open'],
      { ...env, BROWSER: '/nonexistent/browser' },
    );
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { redirectUri: string; opened?: boolean };
    assert.match(printed.redirectUri, /\/callback\?response_code=/);
    assert.equal(printed.opened, false);
  });

  it('reports opened: false, with the redirectUri to open by hand, when the browser could not be opened (login done)', async function () {
    this.timeout(60_000);
    const { urls } = await loginPage();
    const dir = mkdtempSync(join(tmpdir(), 'dst-browser-'));
    const failing = join(dir, 'no-desktop.sh');
    writeFileSync(failing, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const result = await runCli(['wallet', 'login', urls.sameDevice, '--wallet', `${temp.dir}-member`], {
      ...env,
      BROWSER: failing,
    });
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { redirectUri: string; opened?: boolean };
    assert.match(printed.redirectUri, /\/callback\?response_code=/);
    assert.equal(printed.opened, false);
  });

  it('exits non-zero with no_matching_credentials when the wallet holds nothing the query asks for', async function () {
    this.timeout(60_000);
    await createWallet({ dir: `${temp.dir}-empty`, passphrase: PASSPHRASE });
    const { urls } = await loginPage();
    const result = await runCli(['wallet', 'login', urls.crossDevice, '--wallet', `${temp.dir}-empty`], env);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /no_matching_credentials/);
  });

  it('exits non-zero with invalid_request_uri when the login was answered already', async function () {
    this.timeout(60_000);
    const { urls } = await loginPage();
    const first = await runCli(['wallet', 'login', urls.crossDevice, '--wallet', `${temp.dir}-member`], env);
    assert.equal(first.code, 0, first.stderr);
    const again = await runCli(['wallet', 'login', urls.crossDevice, '--wallet', `${temp.dir}-member`], env);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /invalid_request_uri/);
  });
});
