/**
 * Issue 12 "Done when" with the project's holder wallet: an applicant admitted by the board
 * receives its MembershipCredential as an SD-JWT VC through its OpenID4VCI offer (`wallet
 * receive`, pre-authorized code with the transaction code), the wallet stores and lists it,
 * logs in with it to a relying party (openid-client) through OpenID4VP (the DCQL asks for
 * dc+sd-jwt: the wallet discloses the asked claims only, with a key binding JWT), the board
 * suspends the member, and the next login is refused with `suspended`. On the way, the wallet
 * also receives through the authorization code grant, proving membership with its own login.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { parseSdJwt } from '../../src/credentials/sd-jwt/compact.js';
import { createDidResolver } from '../../src/did/index.js';
import {
  receiveByAuthorization,
  receiveCredential,
  ServiceError,
  type Wallet,
  WalletError,
  walletLogin,
} from '../../src/wallet/index.js';
import type { Actor } from '../governance/support.js';
import { Browser, newWallet, REDIRECT_URI, relyingParty, startLogin, walletUrls } from '../oidc/support.js';
import { describeEachDatabase } from '../support/databases.js';
import { applicantOffer, decide, type World, worldWith } from './support.js';

const SD_JWT = 'MembershipCredential_dc+sd-jwt';
const JWT_VC = 'MembershipCredential_jwt_vc_json';

interface DcqlShape {
  readonly credentials: readonly { id: string; format: string; claims?: { path: string[] }[] }[];
}

/** The wallet as the test actors sign (applications, offers). */
function actorOf(wallet: Wallet): Actor {
  return { did: wallet.did, kid: wallet.kid, sign: (payload, typ = 'JWT') => wallet.sign(payload, { typ }) };
}

describeEachDatabase("issue 12 done when, with the project's holder wallet", (fresh) => {
  let w: World<Actor>;
  let wallet: Wallet;
  let rp: client.Configuration;
  const resolver = createDidResolver({ developmentMode: true });

  before(async function () {
    this.timeout(60_000);
    wallet = await newWallet();
    w = await worldWith(await fresh(), actorOf(wallet));
    rp = await relyingParty(w.running);
  });
  after(async () => w?.running.close());

  /** A login at the relying party; what the wallet fetched (the request object) and posted is kept. */
  async function login() {
    const browser = new Browser(w.running.publicUrl);
    const started = await startLogin(rp, 'openid membership');
    const page = await browser.navigate(started.authorizationUrl.href);
    const seen: { requestObject?: string; posted?: string } = {};
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'POST') seen.posted = String(init.body);
      else seen.requestObject = await response.clone().text();
      return response;
    };
    const result = await walletLogin(wallet, walletUrls(await page.response.text()).sameDevice, {
      resolver,
      fetch: recording,
    });
    return { result, browser, started, seen };
  }

  it('receives the MembershipCredential as SD-JWT VC from its offer, bound to its key, and lists it', async function () {
    this.timeout(30_000);
    const offered = (await applicantOffer(w)).body;
    const received = await receiveCredential(wallet, offered.links.byReference, {
      txCode: offered.txCode,
      configurationId: SD_JWT,
    });
    assert.equal(received.configurationId, SD_JWT);
    const [stored] = wallet.credentials();
    assert.equal(stored?.format, 'dc+sd-jwt');
    assert.equal(stored?.subject, wallet.did);
    assert.equal(stored?.issuer, w.service.identity.did);
    assert.match(stored?.vct ?? '', /^http/);
    // Without a jti, its id is the digest of its issuer-signed JWT, and receive reports that id.
    const issuerSigned = (stored?.jwt ?? '').split('~')[0] as string;
    assert.equal(stored?.id, `urn:sha256:${createHash('sha256').update(issuerSigned).digest('base64url')}`);
    assert.deepEqual(received.stored, [stored?.id]);
    const cnf = parseSdJwt(stored?.jwt as string).jws.payload.cnf as { jwk: { x: string } };
    assert.equal(cnf.jwk.x, wallet.publicJwk.x);
  });

  it('logs in with it: the relying party gets the mapped claims, the verifier saw only the asked disclosures', async function () {
    this.timeout(30_000);
    const { result, browser, started, seen } = await login();
    const [queryId] = Object.keys(result.presented);
    const query = (decodeJwt(seen.requestObject as string).dcql_query as DcqlShape).credentials.find(
      (c) => c.id === queryId,
    );
    assert.equal(query?.format, 'dc+sd-jwt', JSON.stringify(result.presented));
    const vpToken = JSON.parse(new URLSearchParams(seen.posted).get('vp_token') as string);
    const [presented] = vpToken[queryId as string] as string[];
    const parsed = parseSdJwt(presented as string);
    const asked = new Set((query?.claims ?? []).map((claim) => claim.path[0]));
    const disclosed = new Set(parsed.disclosures.map((d) => d.name));
    assert.ok(asked.size > 0);
    assert.deepEqual(disclosed, asked, 'exactly the asked claims are disclosed');
    assert.ok(
      parsed.disclosures.length < parseSdJwt(wallet.credentials()[0]?.jwt as string).disclosures.length,
    );
    assert.equal(parsed.kb?.header.typ, 'kb+jwt');
    const kb = parsed.kb?.payload as Record<string, unknown>;
    assert.equal(kb.sd_hash, createHash('sha256').update(parsed.presented).digest('base64url'));
    assert.equal(kb.aud, result.clientId);
    assert.equal(kb.nonce, decodeJwt(seen.requestObject as string).nonce);
    assert.equal(typeof kb.iat, 'number');
    const back = await browser.navigate(result.redirectUri as string);
    assert.ok(back.url.startsWith(REDIRECT_URI), back.url);
    const tokens = await client.authorizationCodeGrant(rp, new URL(back.url), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
    });
    assert.equal(tokens.claims()?.organisation, 'City of Example');
    assert.equal(tokens.claims()?.membership_status, 'active');
  });

  it('receives through the authorization code grant, proving membership with its own login', async function () {
    this.timeout(60_000);
    // The membership proof is a JWT MembershipCredential presented by the member's DID.
    const offered = (await applicantOffer(w)).body;
    await receiveCredential(wallet, offered.links.byValue, {
      txCode: offered.txCode,
      configurationId: JWT_VC,
    });
    let shown = '';
    const received = await receiveByAuthorization(wallet, {
      issuer: w.running.publicUrl,
      configurationId: SD_JWT,
      resolver,
      onAuthorizationUrl: (url) => {
        shown = url;
      },
    });
    assert.equal(received.stored.length, 1);
    const request = new URL(shown);
    assert.equal(request.pathname, '/oid4vci/authorize');
    // The issuer names a PAR endpoint: the wallet pushed its request (RFC 9126, PKCE inside).
    assert.deepEqual([...request.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.equal(wallet.credentials().filter((c) => c.format === 'dc+sd-jwt').length, 2);
  });

  it('refuses to store an SD-JWT VC bound to another key (subject_mismatch)', async () => {
    const other = await newWallet();
    const sdJwt = wallet.credentials().find((c) => c.format === 'dc+sd-jwt')?.jwt as string;
    await assert.rejects(
      other.addCredential(sdJwt),
      (error: unknown) => error instanceof WalletError && error.code === 'subject_mismatch',
    );
  });

  it('after the board suspends the member, the next login is refused with suspended', async function () {
    this.timeout(60_000);
    await decide(w as unknown as World, 'suspend', wallet.did);
    await assert.rejects(login(), (error: unknown) => {
      assert.ok(error instanceof ServiceError, String(error));
      assert.equal(error.code, 'access_denied');
      assert.match(error.message, /suspended/);
      return true;
    });
  });
});
