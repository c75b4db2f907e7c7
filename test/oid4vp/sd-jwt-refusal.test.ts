/**
 * OpenID4VP 1.0 login and SD-JWT VCs, until issue 12 item 4: an SD-JWT VC presentation now
 * verifies (its key binding JWT bound to the request's nonce and client id), but the login's
 * DCQL queries ask for `jwt_vc_json` only, so it satisfies none: refused, never a 5xx.
 */
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import type * as client from 'openid-client';
import { kbJwt } from '../credentials/sd-jwt/support.js';
import { generateTestKey } from '../credentials/verify/support.js';
import {
  Browser,
  type Running,
  relyingParty,
  startLogin,
  startService,
  walletUrls,
} from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('OpenID4VP login: an SD-JWT VC presentation (dc+sd-jwt)', (fresh) => {
  let running: Running;
  let rp: client.Configuration;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
    rp = await relyingParty(running);
  });
  after(async () => running?.close());

  it('is refused with access_denied query_not_satisfied until the login matches dc+sd-jwt queries', async () => {
    const holder = generateTestKey('EdDSA');
    const issued = await running.service.credentials.issuer.issue({
      type: 'MembershipCredential',
      subject: {
        id: 'did:web:member.example',
        legalName: 'Member Ltd',
        roles: ['data-provider'],
        sides: ['supply'],
        memberSince: '2026-01-01T00:00:00Z',
        rulebookVersion: '1.0.0',
      },
      format: 'dc+sd-jwt',
      holderKey: holder.publicJwk,
    });
    const browser = new Browser(running.publicUrl);
    const page = await browser.navigate((await startLogin(rp, 'openid membership')).authorizationUrl.href);
    const link = new URL(walletUrls(await page.response.text()).sameDevice);
    const requestObject = await (await fetch(link.searchParams.get('request_uri') as string)).text();
    const payload = decodeJwt(requestObject) as Record<string, unknown>;
    const ids = (payload.dcql_query as { credentials: { id: string }[] }).credentials.map((c) => c.id);
    const kb = kbJwt(holder, issued.jwt, {
      iat: Math.floor(Date.now() / 1000),
      aud: payload.client_id,
      nonce: payload.nonce,
    });
    const vpToken = Object.fromEntries(ids.map((id) => [id, [`${issued.jwt}${kb}`]]));
    const response = await fetch(payload.response_uri as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        vp_token: JSON.stringify(vpToken),
        state: payload.state as string,
      }).toString(),
    });
    const body = (await response.json()) as Record<string, string>;
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(body.error, 'access_denied');
    assert.match(body.error_description ?? '', /query_not_satisfied/);
  });
});
