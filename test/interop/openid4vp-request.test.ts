/**
 * OpenID4VP 1.0 §5 / §5.9.3 with `@openid4vc/openid4vp` 0.4.6 as the wallet: it resolves and
 * verifies our request object on its own (client identifier `decentralized_identifier:<DID>`
 * signed by a key of that DID), which it refused while `iss` held the prefixed client id.
 */
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import {
  Browser,
  type Running,
  relyingParty,
  startLogin,
  startService,
  walletUrls,
} from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { openid4vpWallet } from './support.js';

describeEachDatabase('interop: @openid4vc/openid4vp resolves and verifies the request object', (fresh) => {
  let running: Running;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
  });
  after(async () => running?.close());

  for (const flow of ['sameDevice', 'crossDevice'] as const) {
    it(`accepts the ${flow} request with the decentralized_identifier client id, signed by the service DID`, async () => {
      const rp = await relyingParty(running, ['membership'], `portal-${flow}`);
      const browser = new Browser(running.publicUrl);
      const page = await browser.navigate((await startLogin(rp, 'openid membership')).authorizationUrl.href);
      const url = walletUrls(await page.response.text())[flow];
      const wallet = openid4vpWallet();
      const parsed = wallet.parseOpenid4vpAuthorizationRequest({ authorizationRequest: url });
      const resolved = await wallet.resolveOpenId4vpAuthorizationRequest({
        authorizationRequestPayload: parsed.params as never,
      });
      assert.equal(resolved.client.prefix, 'decentralized_identifier');
      assert.equal(resolved.client.identifier, running.service.identity.did);
      assert.equal(resolved.jar?.signer.method, 'did');
      assert.equal(resolved.version, 100, 'OpenID4VP 1.0 final');
      // §5: `iss` is redundant with client_id and ignored by wallets; it is left out.
      assert.equal(decodeJwt(resolved.jar?.jwt.compact as string).iss, undefined);
    });
  }
});
