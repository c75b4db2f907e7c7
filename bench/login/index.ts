/**
 * bench/login: complete logins per second, in one run, against
 *   (a) the service's wallet login: authorization request, login page, request object,
 *       direct_post of a presentation (fully verified), the browser's return with the response
 *       code, code exchange, userinfo;
 *   (b) the baseline: the same oidc-provider (createProvider with the same options, keys,
 *       storage and client) whose interaction just calls `interactionFinished` with a fixed
 *       account: authorization request, interaction, code exchange, userinfo.
 * Both on SQLite, over HTTP on loopback, driven from this process by openid-client (the relying
 * party), a cookie-jar browser and, for (a), the project's wallet: the client side shares the
 * CPU with the server, and in (a) it includes the wallet's own work (verifying the request
 * object, signing the presentation). Target: (a) ≥ 50% of (b). Also the p95 latency of one
 * wallet login.
 *
 *   npm run bench:login            (BENCH_SECONDS=3 per side by default, BENCH_CONCURRENCY=4)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import mount from 'koa-mount';
import * as client from 'openid-client';
import { typeormAdapter } from '../../src/oidc/adapter.js';
import { scopeClaims } from '../../src/oidc/index.js';
import { createProvider, deriveCookieKeys } from '../../src/oidc/provider.js';
import { registryPort } from '../../src/service.js';
import { walletLogin } from '../../src/wallet/index.js';
import {
  Browser,
  giveMembership,
  newWallet,
  REDIRECT_URI,
  startService,
  walletUrls,
} from '../../test/oidc/support.js';
import { TEST_SECRET } from '../../test/support/service.js';
import { fmt } from '../support/measure.js';

const durationMs = Number(process.env.BENCH_SECONDS ?? 3) * 1000;
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SCOPE = 'openid membership';
const CLIENT_ID = 'bench';

const dataDir = mkdtempSync(join(tmpdir(), 'bench-login-'));
const running = await startService({ kind: 'sqlite', dataDir, databaseUrl: undefined });
const { service } = running;
const registered = await service.oidc.clients.add({
  clientId: CLIENT_ID,
  redirectUris: [REDIRECT_URI],
  scopes: ['membership'],
});
const secret = registered.client_secret as string;
const wallet = await newWallet();
await giveMembership(service, wallet);

function relyingParty(issuer: string): Promise<client.Configuration> {
  return client.discovery(
    new URL(issuer),
    CLIENT_ID,
    { client_secret: secret, id_token_signed_response_alg: 'ES256' },
    client.ClientSecretBasic(secret),
    { execute: [client.allowInsecureRequests] },
  );
}

/** The authorization request, the redirects a browser follows, and the code exchange and userinfo. */
async function completeLogin(
  rp: client.Configuration,
  origin: string,
  interact: (browser: Browser, page: { response: Response; url: string }) => Promise<string>,
): Promise<string> {
  const browser = new Browser(origin);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(rp, {
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const back = await interact(browser, await browser.navigate(url.href));
  if (!back.startsWith(REDIRECT_URI)) throw new Error(`the login did not return to the client: ${back}`);
  const tokens = await client.authorizationCodeGrant(rp, new URL(back), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  const sub = tokens.claims()?.sub as string;
  await client.fetchUserInfo(rp, tokens.access_token, sub);
  return sub;
}

// (a) the wallet login.
const walletRp = await relyingParty(running.issuer);
const resolver = service.credentials.resolver;
const loginWithWallet = () =>
  completeLogin(walletRp, running.publicUrl, async (browser, page) => {
    if (page.response.status !== 200) throw new Error(`no login page: ${page.response.status}`);
    const { sameDevice } = walletUrls(await page.response.text());
    const result = await walletLogin(wallet, sameDevice, { resolver });
    return (await browser.navigate(result.redirectUri as string)).url;
  });
const accountId = await loginWithWallet();

// (b) the baseline: the same provider configuration, the interaction finished at once.
const baselineServer: Server = createServer();
await new Promise<void>((resolve) => baselineServer.listen(0, '127.0.0.1', resolve));
const baselineOrigin = `http://localhost:${(baselineServer.address() as AddressInfo).port}`;
const cookieKeys = deriveCookieKeys(TEST_SECRET);
const provider = await createProvider({
  issuer: `${baselineOrigin}/oidc`,
  signingKeys: [await service.identity.signingKey('ES256'), await service.identity.signingKey('EdDSA')],
  adapter: typeormAdapter(service.dataSource),
  accounts: service.oidc.accounts,
  cookieKeys,
  scopeClaims: scopeClaims((await service.rulebook.store.current()).rulebook),
  // The same registry reads at every token and userinfo as the wallet login's provider.
  registry: registryPort(service.governance),
  rulebook: (await service.rulebook.store.current()).rulebook,
  interactionUrl: (uid) => `/oidc/interaction/${uid}`,
  trustProxy: false,
  apiResource: `${baselineOrigin}/api`,
  // The baseline logs in relying parties only: no consent requests, no member apps.
  consentRequests: { refusal: async () => 'citizen_scope_required: no consent requests in this baseline' },
  pairwiseSubject: async () => {
    throw new Error('no member apps in this baseline');
  },
});
const baselineApp = new Koa();
baselineApp.keys = cookieKeys; // mounted, the provider signs its cookies with the outer app's keys
baselineApp.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/oidc/interaction/')) return next();
  const [req, res]: [IncomingMessage, ServerResponse] = [ctx.req, ctx.res];
  const interaction = await provider.interactionDetails(req, res);
  const grant = new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });
  grant.addOIDCScope(String(interaction.params.scope));
  const grantId = await grant.save();
  ctx.respond = false;
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
});
baselineApp.use(mount('/oidc', provider));
baselineServer.on('request', baselineApp.callback());
const baselineRp = await relyingParty(`${baselineOrigin}/oidc`);
const loginBaseline = () => completeLogin(baselineRp, baselineOrigin, async (_browser, page) => page.url);
if ((await loginBaseline()) !== accountId) throw new Error('the baseline logged in another account');

/** `concurrency` loops of logins for `durationMs`; logins per second and each login's latency. */
async function measure(login: () => Promise<unknown>): Promise<{ rate: number; latencies: number[] }> {
  for (let i = 0; i < 10; i++) await login(); // warm-up
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - start < durationMs) {
        const begun = performance.now();
        await login();
        latencies.push(performance.now() - begun);
      }
    }),
  );
  return { rate: (latencies.length / (performance.now() - start)) * 1000, latencies };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

console.log(
  `bench/login: ${durationMs / 1000} s per side, ${concurrency} concurrent logins, SQLite, Node ${process.version}`,
);
const baseline = await measure(loginBaseline);
const ours = await measure(loginWithWallet);
// p95 of one wallet login on its own, without the queueing of the concurrent run.
const alone: number[] = [];
for (let i = 0; i < 40; i++) {
  const begun = performance.now();
  await loginWithWallet();
  alone.push(performance.now() - begun);
}
console.log(
  `(a) wallet login (OpenID4VP, presentation verified): ${fmt(ours.rate).padStart(5)} logins/s  (${ours.latencies.length} logins, p95 ${percentile(ours.latencies, 95).toFixed(0)} ms under load)` +
    `\n(b) trivial password-less login, same provider:   ${fmt(baseline.rate).padStart(5)} logins/s  (${baseline.latencies.length} logins, p95 ${percentile(baseline.latencies, 95).toFixed(0)} ms under load)` +
    `\nratio a/b = ${(ours.rate / baseline.rate).toFixed(2)} (target ≥ 0.50)` +
    `\np95 latency of one wallet login, sequential: ${percentile(alone, 95).toFixed(0)} ms (median ${percentile(alone, 50).toFixed(0)} ms)`,
);

baselineServer.closeAllConnections();
await new Promise<void>((resolve) => baselineServer.close(() => resolve()));
await running.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
