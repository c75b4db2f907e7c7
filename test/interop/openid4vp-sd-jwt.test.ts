/**
 * Issue 12 interoperability: the OpenWallet Foundation's `@openid4vc/openid4vp` as the WALLET
 * completes the login with an SD-JWT VC. It verifies our request object, the `dcql` reference
 * matcher answers our query (OpenID4VP 1.0 §6, its `credential_sets`) with the SD-JWT VC the
 * service issued, `@sd-jwt/sd-jwt-vc` makes the presentation (only the disclosures the query
 * asks for, the key binding JWT with the request's nonce and client id), and the wallet library
 * posts it (`direct_post`). Nothing of theirs is re-implemented here.
 */
import assert from 'node:assert/strict';
import { DcqlQuery } from 'dcql';
import * as client from 'openid-client';
import { hasher, libraryInstance } from '../credentials/sd-jwt/support.js';
import { generateTestKey } from '../credentials/verify/support.js';
import {
  Browser,
  REDIRECT_URI,
  type Running,
  relyingParty,
  startLogin,
  startService,
  walletUrls,
} from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { openid4vpWallet } from './support.js';

const LEGAL_NAME = 'Interop SD GmbH';

describeEachDatabase('interop: @openid4vc/openid4vp as the wallet logs in with an SD-JWT VC', (fresh) => {
  let running: Running;
  let rp: client.Configuration;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
    rp = await relyingParty(running);
  });
  after(async () => running?.close());

  it('the library resolves the request, dcql matches the dc+sd-jwt query, the presentation logs in', async () => {
    const holder = generateTestKey('ES256');
    const issued = await running.service.credentials.issuer.issue({
      type: 'MembershipCredential',
      subject: {
        id: 'did:web:interop-sd.example',
        legalName: LEGAL_NAME,
        roles: ['data-consumer'],
        sides: ['demand'],
        memberSince: '2026-02-01T00:00:00Z',
        rulebookVersion: '1.0.0',
      },
      format: 'dc+sd-jwt',
      holderKey: holder.publicJwk,
    });
    const sdJwtVc = libraryInstance(holder, holder);
    const decoded = await sdJwtVc.decode(issued.jwt);
    // The claims after disclosure, as the dcql matcher reads a held SD-JWT VC.
    const claims = (await decoded.getClaims(hasher)) as Record<string, unknown>;

    const browser = new Browser(running.publicUrl);
    const started = await startLogin(rp, 'openid membership');
    const page = await browser.navigate(started.authorizationUrl.href);
    const url = walletUrls(await page.response.text()).sameDevice;

    const wallet = openid4vpWallet();
    const parsed = wallet.parseOpenid4vpAuthorizationRequest({ authorizationRequest: url });
    const resolved = await wallet.resolveOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: parsed.params as never,
    });
    const query = DcqlQuery.parse(resolved.dcql?.query as DcqlQuery.Input);
    DcqlQuery.validate(query);
    const outcome = DcqlQuery.query(query, [
      {
        credential_format: 'dc+sd-jwt',
        vct: claims.vct as string,
        claims: claims as never,
        cryptographic_holder_binding: true,
      },
    ]);
    assert.equal(outcome.can_be_satisfied, true);
    assert.equal(outcome.credential_matches['membership-sd-jwt']?.success, true);
    assert.equal(outcome.credential_matches.membership?.success, false, 'an SD-JWT VC is no jwt_vc_json');

    // Disclose only what the query asks for (its claim paths), then bind to this request.
    const asked = query.credentials.find((c) => c.id === 'membership-sd-jwt');
    const frame = Object.fromEntries(
      (asked?.claims ?? []).map((claim) => ['path' in claim ? String(claim.path[0]) : '', true]),
    );
    const request = resolved.authorizationRequestPayload as { nonce: string; client_id: string };
    const presentation = await sdJwtVc.present(issued.jwt, frame, {
      kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: request.client_id, nonce: request.nonce } },
    });
    const disclosedNames = presentation
      .split('~')
      .slice(1, -1)
      .map((d) => (JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as unknown[])[1]);
    assert.deepEqual(disclosedNames.sort(), ['legalName', 'roles']);

    const response = await wallet.createOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      authorizationResponsePayload: { vp_token: { 'membership-sd-jwt': [presentation] } },
    });
    const submitted = await wallet.submitOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: resolved.authorizationRequestPayload as never,
      authorizationResponsePayload: response.authorizationResponsePayload,
    });
    const body = JSON.parse(await submitted.response.text()) as Record<string, string>;
    assert.equal(submitted.response.status, 200, JSON.stringify(body));

    const back = await browser.navigate(body.redirect_uri as string);
    assert.ok(back.url.startsWith(REDIRECT_URI), back.url);
    const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    assert.equal(tokens.claims()?.organisation, LEGAL_NAME);
    assert.deepEqual(tokens.claims()?.roles, ['data-consumer']);
  });
});
