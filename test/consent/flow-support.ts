/**
 * Actors of the consent flow (issue 11 item 3): the member's app as a relying party
 * (openid-client 6: authorization code with PKCE, `private_key_jwt` signed by the member's DID
 * key, `authorization_details`), the citizen's holder wallet with a PID from the development
 * PID provider, and a browser with a cookie jar driving the login and consent pages over HTTP.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import request from 'supertest';
import { createWallet, openWallet, type Wallet, walletLogin } from '../../src/wallet/index.js';
import type { Actor } from '../governance/support.js';
import { Browser, unescapeHtml, walletUrls } from '../oidc/support.js';
import { type ConsentWorld, connectorToken, DEV_PID_PASSPHRASE, DEV_PID_WALLET } from './support.js';

export const APP_REDIRECT = 'http://localhost:8999/consent/return';

const seconds = () => Math.floor(Date.now() / 1000);

/** Registers the member app's redirect URIs through its connector. */
export async function registerApp(world: ConsentWorld, member: Actor, uris = [APP_REDIRECT]): Promise<void> {
  const token = await connectorToken(world, member, 'notices');
  await request(world.app)
    .put('/api/v1/connectors/me/redirect-uris')
    .set('authorization', `Bearer ${token}`)
    .send({ redirectUris: uris })
    .expect(200);
}

/**
 * openid-client's client authentication as `private_key_jwt` with the member's DID key (its
 * `authentication` key): the assertion is signed by the Actor, which holds the key.
 */
function didKeyJwt(member: Actor): client.ClientAuth {
  return async (as, _client, body) => {
    const iat = seconds();
    body.set('client_id', member.did);
    body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    body.set(
      'client_assertion',
      await member.sign({
        iss: member.did,
        sub: member.did,
        aud: as.issuer,
        jti: randomUUID(),
        iat,
        exp: iat + 60,
      }),
    );
  };
}

/** The member's app, as openid-client sees it. */
export function memberApp(world: ConsentWorld, member: Actor): Promise<client.Configuration> {
  return client.discovery(
    new URL(`${world.service.config.publicUrl}/oidc`),
    member.did,
    { id_token_signed_response_alg: 'ES256' },
    didKeyJwt(member),
    { execute: [client.allowInsecureRequests] },
  );
}

export interface ConsentRequest {
  readonly url: URL;
  readonly verifier: string;
  readonly state: string;
}

/** The authorization request of the app asking consent for `details`. */
export async function consentRequest(
  app: client.Configuration,
  details: unknown,
  extra: Record<string, string> = {},
): Promise<ConsentRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(app, {
    redirect_uri: APP_REDIRECT,
    scope: 'openid citizen',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    authorization_details: JSON.stringify(details),
    ...extra,
  });
  return { url, verifier, state };
}

let pidProvider: Wallet | undefined;

/** A citizen's holder wallet with a PID from the development PID provider for `identifier`. */
export async function citizenWallet(identifier = `DEV-${randomUUID()}`): Promise<Wallet> {
  pidProvider ??= await openWallet({ dir: DEV_PID_WALLET, passphrase: DEV_PID_PASSPHRASE });
  const wallet = await createWallet({
    dir: join(mkdtempSync(join(tmpdir(), 'dst-flow-citizen-')), 'w'),
    passphrase: 'a citizen wallet passphrase',
  });
  const pid = await pidProvider.issueCredential({
    type: 'PersonIdentificationCredential',
    format: 'jwt_vc_json',
    subject: { id: wallet.did, personalIdentifier: identifier, givenName: 'Erika', familyName: 'Mustermann' },
  });
  await wallet.addCredential(pid);
  return wallet;
}

/** The consent page's form, read from its HTML. */
export interface ConsentForm {
  readonly action: string;
  readonly fields: Record<string, string>;
  /** Checkbox name → value (the purpose), none ticked. */
  readonly purposes: Record<string, string>;
  readonly checked: number;
}

export function consentForm(html: string): ConsentForm {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  assert.ok(action, 'a consent form');
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields[match[1] as string] = unescapeHtml(match[2] as string);
  const purposes: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="checkbox" name="([^"]+)" value="([^"]+)"/g))
    purposes[match[1] as string] = unescapeHtml(match[2] as string);
  return { action: unescapeHtml(action), fields, purposes, checked: (html.match(/checked/g) ?? []).length };
}

/** A citizen in a browser: logs in with the wallet (same device) and lands on the consent page. */
export async function loginToConsentPage(
  world: ConsentWorld,
  started: ConsentRequest,
  wallet: Wallet,
): Promise<{ browser: Browser; page: { response: Response; url: string }; html: string }> {
  const browser = new Browser(world.service.config.publicUrl);
  const login = await browser.navigate(started.url.href);
  assert.equal(
    login.response.status,
    200,
    `the login page, not ${login.url}: ${await login.response.clone().text()}`,
  );
  const urls = walletUrls(await login.response.text());
  const result = await walletLogin(wallet, urls.sameDevice, { resolver: world.service.credentials.resolver });
  assert.ok(result.redirectUri);
  const page = await browser.navigate(result.redirectUri);
  const html = await page.response.text();
  return { browser, page, html };
}

/** Posts the consent form with `values`; answers the response (not followed). */
export function submit(
  world: ConsentWorld,
  browser: Browser,
  form: ConsentForm,
  values: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return browser.request(new URL(form.action, world.service.config.publicUrl).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(values).toString(),
  });
}

/** Follows the browser to the app's redirect URI; answers that URL. */
export async function backAtApp(world: ConsentWorld, browser: Browser, response: Response): Promise<URL> {
  const location = response.headers.get('location');
  assert.equal(response.status, 303, `a redirect, not ${response.status}: ${await response.text()}`);
  assert.ok(location);
  const last = await browser.navigate(new URL(location, world.service.config.publicUrl).href);
  assert.ok(last.url.startsWith(APP_REDIRECT), `back at the app, not ${last.url}`);
  return new URL(last.url);
}
