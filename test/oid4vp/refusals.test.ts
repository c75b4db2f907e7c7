/**
 * The wallet login's `direct_post` endpoint refuses bad input with the OAuth error shape and no
 * login (OpenID4VP 1.0 §8.2, §14.1 replay protection; the pipeline's check codes in
 * error_description, see docs/verification.md).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type * as client from 'openid-client';
import type { Wallet } from '../../src/wallet/index.js';
import { createWallet, walletLogin } from '../../src/wallet/index.js';
import {
  Browser,
  giveMembership,
  newWallet,
  type Running,
  relyingParty,
  startLogin,
  startService,
  walletUrls,
} from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';

interface Request {
  readonly clientId: string;
  readonly nonce: string;
  readonly state: string;
  readonly responseUri: string;
  readonly queryIds: string[];
  readonly browser: Browser;
  readonly pageUrl: string;
}

describeEachDatabase('OpenID4VP direct_post refusals', (fresh) => {
  let running: Running;
  let rp: client.Configuration;

  before(async function () {
    this.timeout(60_000);
    running = await startService(await fresh());
    rp = await relyingParty(running);
  });
  after(async () => running?.close());

  /** A login page opened in a browser, and its request object as the wallet reads it. */
  async function open(
    scope = 'openid membership',
    flow: 'same-device' | 'cross-device' = 'same-device',
  ): Promise<Request> {
    const browser = new Browser(running.publicUrl);
    const page = await browser.navigate((await startLogin(rp, scope)).authorizationUrl.href);
    const urls = walletUrls(await page.response.text());
    const link = new URL(flow === 'same-device' ? urls.sameDevice : urls.crossDevice);
    const requestObject = await (await fetch(link.searchParams.get('request_uri') as string)).text();
    const payload = decodeJwt(requestObject) as Record<string, unknown>;
    const query = payload.dcql_query as { credentials: { id: string }[] };
    return {
      clientId: payload.client_id as string,
      nonce: payload.nonce as string,
      state: payload.state as string,
      responseUri: payload.response_uri as string,
      queryIds: query.credentials.map((c) => c.id),
      browser,
      pageUrl: page.url,
    };
  }

  async function post(
    request: Request,
    vpToken: unknown,
    state = request.state,
  ): Promise<{ status: number; body: Record<string, string> }> {
    const response = await fetch(request.responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        vp_token: typeof vpToken === 'string' ? vpToken : JSON.stringify(vpToken),
        state,
      }).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  }

  function answer(request: Request, presentation: string): Record<string, string[]> {
    return Object.fromEntries(request.queryIds.map((id) => [id, [presentation]]));
  }

  async function present(
    wallet: Wallet,
    request: Request,
    overrides: { nonce?: string; audience?: string; credentials?: string[] } = {},
  ) {
    const presentation = await wallet.presentation({
      audience: overrides.audience ?? request.clientId,
      nonce: overrides.nonce ?? request.nonce,
      credentials: overrides.credentials ?? wallet.credentials().map((c) => c.jwt),
    });
    return post(request, answer(request, presentation));
  }

  function refused(
    result: { status: number; body: Record<string, string> },
    error: string,
    code: string,
  ): void {
    assert.equal(result.status, 400, JSON.stringify(result.body));
    assert.equal(result.body.error, error);
    assert.match(result.body.error_description ?? '', new RegExp(code));
  }

  it('refuses a presentation with another nonce (challenge_mismatch)', async () => {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    refused(
      await present(wallet, await open(), { nonce: 'not-the-nonce' }),
      'access_denied',
      'challenge_mismatch',
    );
  });

  it('refuses a presentation without a nonce (missing_challenge)', async () => {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    const request = await open();
    const now = Math.floor(Date.now() / 1000);
    const token = await wallet.sign(
      {
        iss: wallet.did,
        aud: request.clientId,
        iat: now,
        exp: now + 300,
        vp: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiablePresentation'],
          verifiableCredential: wallet.credentials().map((c) => c.jwt),
        },
      },
      { typ: 'JWT' },
    );
    refused(await post(request, answer(request, token)), 'access_denied', 'missing_challenge');
  });

  it("refuses a presentation for another transaction's state (challenge_mismatch)", async () => {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    const first = await open();
    const second = await open();
    const presentation = await wallet.presentation({
      audience: first.clientId,
      nonce: first.nonce,
      credentials: wallet.credentials(),
    });
    refused(await post(second, answer(second, presentation)), 'access_denied', 'challenge_mismatch');
  });

  it('refuses a presentation for another audience (domain_mismatch)', async () => {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    refused(
      await present(wallet, await open(), { audience: 'did:web:elsewhere.example' }),
      'access_denied',
      'domain_mismatch',
    );
  });

  it('refuses a replayed vp_token, also with a second encoding of the same ECDSA signature', async () => {
    const wallet = await createWallet({
      dir: join(mkdtempSync(join(tmpdir(), 'dst-wallet-')), 'w'),
      passphrase: 'correct horse battery',
      algorithm: 'ES256',
    });
    await giveMembership(running.service, wallet);
    const request = await open();
    const presentation = await wallet.presentation({
      audience: request.clientId,
      nonce: request.nonce,
      credentials: wallet.credentials(),
    });
    assert.equal((await post(request, answer(request, presentation))).status, 200);
    refused(await post(request, answer(request, presentation)), 'invalid_request', 'replayed');
    refused(await post(request, answer(request, malleate(presentation))), 'invalid_request', 'replayed');
  });

  it('refuses credentials that do not satisfy the DCQL query (query_not_satisfied)', async () => {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    refused(
      await present(wallet, await open('openid membership board')),
      'access_denied',
      'query_not_satisfied',
    );
  });

  it('refuses an expired credential (validity)', async () => {
    const wallet = await newWallet();
    const day = 86_400_000;
    await giveMembership(running.service, wallet, {
      validFrom: new Date(Date.now() - 2 * day),
      validUntil: new Date(Date.now() - day),
    });
    refused(await present(wallet, await open()), 'access_denied', 'credential 0 validity');
  });

  it('refuses a revoked credential (status)', async () => {
    const wallet = await newWallet();
    const id = await giveMembership(running.service, wallet);
    await running.service.credentials.status.revoke(id);
    refused(await present(wallet, await open()), 'access_denied', 'credential 0 status');
  });

  it('refuses a member suspended after its login: it can no longer log in with membership', async () => {
    const wallet = await newWallet();
    const id = await giveMembership(running.service, wallet);
    assert.ok(
      (await walletLogin(wallet, await sameDeviceLink(), { resolver: running.service.credentials.resolver }))
        .redirectUri,
    );
    await running.service.credentials.status.suspend(id);
    refused(await present(wallet, await open()), 'access_denied', 'credential 0 status');
  });

  it('refuses a credential from an untrusted issuer (trusted_issuer)', async () => {
    const wallet = await newWallet();
    const forger = await newWallet();
    const forged = await forger.issueCredential({
      type: 'MembershipCredential',
      format: 'jwt_vc_json',
      subject: {
        id: wallet.did,
        legalName: 'Forged',
        roles: ['data-provider'],
        sides: ['supply'],
        memberSince: '2026-01-01T00:00:00Z',
        rulebookVersion: '1.0.0',
      },
    });
    refused(
      await present(wallet, await open(), { credentials: [forged] }),
      'access_denied',
      'credential 0 trusted_issuer',
    );
  });

  it('refuses a presentation signed by someone other than the subject (holder_mismatch)', async () => {
    const owner = await newWallet();
    await giveMembership(running.service, owner);
    const thief = await newWallet();
    refused(
      await present(thief, await open(), { credentials: owner.credentials().map((c) => c.jwt) }),
      'access_denied',
      'holder_mismatch',
    );
  });

  it('refuses an unknown state', async () => {
    const wallet = await newWallet();
    await giveMembership(running.service, wallet);
    const request = await open();
    const presentation = await wallet.presentation({
      audience: request.clientId,
      nonce: request.nonce,
      credentials: wallet.credentials(),
    });
    refused(
      await post(request, answer(request, presentation), 'no-such-state'),
      'invalid_request',
      'unknown_state',
    );
  });

  it('refuses a result poll without the interaction cookie', async () => {
    const request = await open('openid membership', 'cross-device');
    const response = await fetch(`${request.pageUrl}/status`);
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_request');
  });

  async function sameDeviceLink(): Promise<string> {
    const browser = new Browser(running.publicUrl);
    const page = await browser.navigate((await startLogin(rp, 'openid membership')).authorizationUrl.href);
    return walletUrls(await page.response.text()).sameDevice;
  }
});

/** The same ES256 signature with s replaced by n - s: a second valid encoding (jose accepts both). */
function malleate(jwt: string): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
  const s = BigInt(`0x${bytes.subarray(32).toString('hex')}`);
  const flipped = Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex');
  return `${header}.${payload}.${Buffer.concat([bytes.subarray(0, 32), flipped]).toString('base64url')}`;
}
