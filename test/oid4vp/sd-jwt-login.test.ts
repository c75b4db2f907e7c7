/**
 * OpenID4VP 1.0 login with an SD-JWT VC (`dc+sd-jwt`): the DCQL query offers, beside each
 * `jwt_vc_json` query, a `dc+sd-jwt` alternative by `vct_values` with claim paths (§6, §B.3.5)
 * and a credential set accepting either (§6.2); the presentation's key binding JWT must carry
 * the request's nonce and the client id the request was made for as `aud` (§B.3.6, §8.6); only
 * the claims the query asked for reach the ID token.
 */
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { sha256Digest } from '../../src/credentials/sd-jwt/compact.js';
import { kbJwt } from '../credentials/sd-jwt/support.js';
import { generateTestKey, type TestKey } from '../credentials/verify/support.js';
import {
  Browser,
  REDIRECT_URI,
  type Running,
  relyingParty,
  type StartedLogin,
  startLogin,
  startService,
  walletUrls,
} from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';

const MEMBER = 'did:web:sd-member.example';
const LEGAL_NAME = 'SD Member GmbH';

interface Request {
  readonly payload: Record<string, unknown>;
  readonly query: {
    credentials: {
      id: string;
      format: string;
      meta: Record<string, unknown>;
      claims?: { path: string[] }[];
    }[];
    credential_sets?: { options: string[][] }[];
  };
  readonly browser: Browser;
  readonly started: StartedLogin;
}

describeEachDatabase('OpenID4VP 1.0 login with an SD-JWT VC (dc+sd-jwt)', (fresh) => {
  let running: Running;
  let rp: client.Configuration;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
    rp = await relyingParty(running);
  });
  after(async () => running?.close());

  async function membership(holder: TestKey): Promise<string> {
    const issued = await running.service.credentials.issuer.issue({
      type: 'MembershipCredential',
      subject: {
        id: MEMBER,
        legalName: LEGAL_NAME,
        roles: ['data-provider'],
        sides: ['supply'],
        memberSince: '2026-01-01T00:00:00Z',
        rulebookVersion: '1.0.0',
      },
      format: 'dc+sd-jwt',
      holderKey: holder.publicJwk,
    });
    return issued.jwt;
  }

  /** The SD-JWT without the disclosures of these claim names. */
  function withhold(sdJwt: string, ...names: string[]): string {
    const [jws, ...rest] = sdJwt.split('~');
    const kept = rest.filter((part) => {
      if (part === '') return false;
      const [, name] = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown[];
      return !names.includes(name as string);
    });
    return `${[jws, ...kept].join('~')}~`;
  }

  async function open(scope = 'openid membership', flowClient = rp): Promise<Request> {
    const browser = new Browser(running.publicUrl);
    const started = await startLogin(flowClient, scope);
    const page = await browser.navigate(started.authorizationUrl.href);
    const link = new URL(walletUrls(await page.response.text()).sameDevice);
    const requestObject = await (await fetch(link.searchParams.get('request_uri') as string)).text();
    const payload = decodeJwt(requestObject) as Record<string, unknown>;
    return { payload, query: payload.dcql_query as Request['query'], browser, started };
  }

  function present(
    holder: TestKey,
    presented: string,
    request: Request,
    overrides: Record<string, unknown> = {},
  ): string {
    return `${presented}${kbJwt(holder, presented, {
      iat: Math.floor(Date.now() / 1000),
      aud: request.payload.client_id,
      nonce: request.payload.nonce,
      sd_hash: sha256Digest(presented),
      ...overrides,
    })}`;
  }

  async function post(request: Request, vpToken: Record<string, string[]>) {
    const response = await fetch(request.payload.response_uri as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        vp_token: JSON.stringify(vpToken),
        state: request.payload.state as string,
      }).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  }

  function refused(result: { status: number; body: Record<string, string> }, code: string): void {
    assert.equal(result.status, 400, JSON.stringify(result.body));
    assert.equal(result.body.error, 'access_denied');
    assert.match(result.body.error_description ?? '', new RegExp(code));
  }

  describe('§6 DCQL: the query asks for dc+sd-jwt by vct_values with claim paths', () => {
    it('offers a dc+sd-jwt alternative of the membership query and a credential set accepting either', async () => {
      const request = await open();
      const sd = request.query.credentials.find((c) => c.id === 'membership-sd-jwt');
      assert.ok(sd, JSON.stringify(request.query));
      assert.equal(sd.format, 'dc+sd-jwt');
      assert.deepEqual(sd.meta, { vct_values: [`${running.publicUrl}/vct/membership`] });
      assert.deepEqual(
        sd.claims?.map((c) => c.path),
        [['legalName'], ['roles']],
      );
      assert.deepEqual(request.query.credential_sets, [{ options: [['membership'], ['membership-sd-jwt']] }]);
    });
  });

  describe('§B.3.6, §8.6: a presentation with key binding logs in', () => {
    it('completes the login at the relying party with claims mapped from the disclosed claims', async () => {
      const holder = generateTestKey('EdDSA');
      const request = await open();
      const result = await post(request, {
        'membership-sd-jwt': [present(holder, await membership(holder), request)],
      });
      assert.equal(result.status, 200, JSON.stringify(result.body));
      const back = await request.browser.navigate(result.body.redirect_uri as string);
      assert.ok(back.url.startsWith(REDIRECT_URI), back.url);
      const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
        pkceCodeVerifier: request.started.verifier,
        expectedState: request.started.state,
      });
      const claims = tokens.claims();
      assert.equal(claims?.organisation, LEGAL_NAME);
      assert.deepEqual(claims?.roles, ['data-provider']);
      assert.equal(claims?.membership_status, 'active');
    });

    // That only the asked-for claims reach the login's view is shown in dcql-sd-jwt.test.ts: the
    // ID token and userinfo hold mapped claims only, so they could not show an unasked one.
    it('accepts disclosures the query did not need (sides, memberSince), with one it did not need withheld', async () => {
      const holder = generateTestKey('ES256');
      const request = await open();
      const presented = withhold(await membership(holder), 'rulebookVersion');
      const result = await post(request, { 'membership-sd-jwt': [present(holder, presented, request)] });
      assert.equal(result.status, 200, JSON.stringify(result.body));
      const back = await request.browser.navigate(result.body.redirect_uri as string);
      const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
        pkceCodeVerifier: request.started.verifier,
        expectedState: request.started.state,
      });
      const userinfo = await client.fetchUserInfo(rp, tokens.access_token, tokens.claims()?.sub as string);
      assert.equal(userinfo.organisation, LEGAL_NAME);
    });
  });

  describe('refusals, each with its code', () => {
    it('refuses a claim the query needs that is not disclosed (query_not_satisfied)', async () => {
      const holder = generateTestKey('EdDSA');
      const request = await open();
      const presented = withhold(await membership(holder), 'roles');
      refused(
        await post(request, { 'membership-sd-jwt': [present(holder, presented, request)] }),
        'query_not_satisfied',
      );
    });

    it('refuses a key binding JWT with the nonce of another request (challenge_mismatch)', async () => {
      const holder = generateTestKey('EdDSA');
      const other = await open();
      const request = await open();
      refused(
        await post(request, {
          'membership-sd-jwt': [
            present(holder, await membership(holder), request, { nonce: other.payload.nonce }),
          ],
        }),
        'challenge: challenge_mismatch',
      );
    });

    it('refuses a key binding JWT whose aud is another client (domain_mismatch)', async () => {
      const holder = generateTestKey('EdDSA');
      const request = await open();
      refused(
        await post(request, {
          'membership-sd-jwt': [
            present(holder, await membership(holder), request, {
              aud: 'decentralized_identifier:did:web:other.example',
            }),
          ],
        }),
        'domain: domain_mismatch',
      );
    });

    it('refuses an SD-JWT VC without a key binding JWT (missing_key_binding)', async () => {
      const holder = generateTestKey('EdDSA');
      const request = await open();
      refused(
        await post(request, { 'membership-sd-jwt': [await membership(holder)] }),
        'format: missing_key_binding',
      );
    });

    it('refuses a key binding JWT signed by a key other than cnf (invalid_signature)', async () => {
      const holder = generateTestKey('EdDSA');
      const request = await open();
      refused(
        await post(request, {
          'membership-sd-jwt': [present(generateTestKey('EdDSA'), await membership(holder), request)],
        }),
        'signature: invalid_signature',
      );
    });

    it('an SD-JWT VC that withholds every needed claim answers neither query, whatever key the wallet files it under (query_not_satisfied)', async () => {
      const holder = generateTestKey('EdDSA');
      const request = await open();
      const presented = withhold(await membership(holder), 'legalName', 'roles');
      refused(
        await post(request, { membership: [present(holder, presented, request)] }),
        'query_not_satisfied',
      );
    });
  });
});
