/**
 * Issue 12 "Done when", with the OpenWallet Foundation libraries as the wallet: an applicant
 * admitted by the board receives its MembershipCredential as an SD-JWT VC through its
 * OpenID4VCI offer (`@openid4vc/openid4vci`, pre-authorized code with the transaction code),
 * logs in with it to a relying party (openid-client) through OpenID4VP (`@openid4vc/openid4vp`
 * with the `dcql` matcher, the presentation made by `@sd-jwt/sd-jwt-vc` with its key binding
 * JWT), the board suspends the member, and the next login is refused with `suspended`.
 */
import assert from 'node:assert/strict';
import { KeyObject, randomBytes, sign } from 'node:crypto';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { DcqlQuery } from 'dcql';
import * as client from 'openid-client';
import { hasher } from '../credentials/sd-jwt/support.js';
import { openid4vpWallet } from '../interop/support.js';
import { Browser, REDIRECT_URI, relyingParty, startLogin, walletUrls } from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { applicantOffer, decide, type Holder, openid4vciWallet, type World, world } from './support.js';

const SD_JWT = 'MembershipCredential_dc+sd-jwt';

describeEachDatabase(
  'issue 12 done when: SD-JWT VC by OpenID4VCI, login by OpenID4VP, suspension',
  (fresh) => {
    let w: World;
    let rp: client.Configuration;

    before(async function () {
      this.timeout(60_000);
      w = await world(await fresh());
      rp = await relyingParty(w.running);
    });
    after(async () => w?.running.close());

    /** The admitted applicant's own offer, redeemed by the wallet library for one SD-JWT VC. */
    async function receive(holder: Holder): Promise<string> {
      const offered = (await applicantOffer(w)).body;
      const wallet = openid4vciWallet(holder);
      const offer = await wallet.resolveCredentialOffer(offered.links.byValue);
      assert.ok(offer.credential_configuration_ids.includes(SD_JWT), JSON.stringify(offer));
      const issuerMetadata = await wallet.resolveIssuerMetadata(offer.credential_issuer);
      const { accessTokenResponse } = await wallet.retrievePreAuthorizedCodeAccessTokenFromOffer({
        credentialOffer: offer,
        issuerMetadata,
        ...(offered.txCode ? { txCode: offered.txCode } : {}),
      });
      const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
      const proof = await wallet.createCredentialRequestJwtProof({
        issuerMetadata,
        credentialConfigurationId: SD_JWT,
        nonce: c_nonce,
        signer: { method: 'jwk', publicJwk: holder.publicJwk as never, alg: 'EdDSA' },
      });
      const response = await wallet.retrieveCredentials({
        issuerMetadata,
        accessToken: accessTokenResponse.access_token,
        credentialConfigurationId: SD_JWT,
        proofs: { jwt: [proof.jwt] },
      });
      const [issued] = (response.credentialResponse as { credentials: { credential: string }[] }).credentials;
      assert.ok(issued);
      return issued.credential;
    }

    /** A login at the relying party: the wallet library answers with the SD-JWT VC. */
    async function login(holder: Holder, sdJwt: string) {
      const sdJwtVc = new SDJwtVcInstance({
        hasher,
        hashAlg: 'sha-256',
        saltGenerator: (length) => randomBytes(length).toString('base64url'),
        kbSignAlg: 'EdDSA',
        kbSigner: (data: string) =>
          sign(null, Buffer.from(data), KeyObject.from(holder.privateKey)).toString('base64url'),
      });
      const claims = (await (await sdJwtVc.decode(sdJwt)).getClaims(hasher)) as Record<string, unknown>;
      const browser = new Browser(w.running.publicUrl);
      const started = await startLogin(rp, 'openid membership');
      const page = await browser.navigate(started.authorizationUrl.href);
      const wallet = openid4vpWallet();
      const parsed = wallet.parseOpenid4vpAuthorizationRequest({
        authorizationRequest: walletUrls(await page.response.text()).sameDevice,
      });
      const resolved = await wallet.resolveOpenId4vpAuthorizationRequest({
        authorizationRequestPayload: parsed.params as never,
      });
      const query = DcqlQuery.parse(resolved.dcql?.query as DcqlQuery.Input);
      const outcome = DcqlQuery.query(query, [
        {
          credential_format: 'dc+sd-jwt',
          vct: claims.vct as string,
          claims: claims as never,
          cryptographic_holder_binding: true,
        },
      ]);
      const id = Object.keys(outcome.credential_matches).find((k) => outcome.credential_matches[k]?.success);
      const asked = query.credentials.find((c) => c.id === id);
      assert.ok(asked && asked.format === 'dc+sd-jwt', 'dcql matches the dc+sd-jwt query');
      const frame = Object.fromEntries(
        (asked.claims ?? []).map((claim) => ['path' in claim ? String(claim.path[0]) : '', true]),
      );
      const request = resolved.authorizationRequestPayload as { nonce: string; client_id: string };
      const presentation = await sdJwtVc.present(sdJwt, frame, {
        kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: request.client_id, nonce: request.nonce } },
      });
      const response = await wallet.createOpenid4vpAuthorizationResponse({
        authorizationRequestPayload: resolved.authorizationRequestPayload,
        authorizationResponsePayload: { vp_token: { [asked.id]: [presentation] } },
      });
      const submitted = await wallet.submitOpenid4vpAuthorizationResponse({
        authorizationRequestPayload: resolved.authorizationRequestPayload as never,
        authorizationResponsePayload: response.authorizationResponsePayload,
      });
      const body = JSON.parse(await submitted.response.text()) as Record<string, string>;
      return { status: submitted.response.status, body, browser, started };
    }

    it('receives, logs in, is suspended by the board, and the next login is refused with suspended', async function () {
      this.timeout(60_000);
      const holder = w.member;
      const sdJwt = await receive(holder);

      const first = await login(holder, sdJwt);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const back = await first.browser.navigate(first.body.redirect_uri as string);
      assert.ok(back.url.startsWith(REDIRECT_URI), back.url);
      const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
        pkceCodeVerifier: first.started.verifier,
        expectedState: first.started.state,
      });
      assert.equal(tokens.claims()?.organisation, 'City of Example');
      assert.equal(tokens.claims()?.membership_status, 'active');

      await decide(w, 'suspend', w.member.did);

      const next = await login(holder, sdJwt);
      assert.equal(next.status, 400, JSON.stringify(next.body));
      assert.equal(next.body.error, 'access_denied');
      assert.match(next.body.error_description ?? '', /status: suspended/);
    });
  },
);
