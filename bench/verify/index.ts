/**
 * bench/verify: verifications per second on one core, in one run, for EdDSA and ES256:
 *   (a) node:crypto verify of the same signature (the limit),
 *   (b) our full pipeline (all six checks; DID document and status list cached),
 *   (c) Veramo's agent.verifyCredential on the same credential (the stock library),
 * and HTTP throughput of POST /api/v1/credentials/verify against a trivial koa JSON endpoint,
 * both in their own process, driven by autocannon (keep-alive) from this one.
 * Targets: (b) ≥ 50% of (a) and ≥ 10× (c); HTTP ≥ 40% of the trivial endpoint.
 * Then scale.ts: distinct credentials over HTTP against node:crypto, 1 vs 2 workers, SQLite vs PostgreSQL.
 *
 *   npm run bench:verify            (BENCH_SECONDS=2 per round by default)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, type ICredentialPlugin, type IResolver } from '@veramo/core';
import { CredentialProviderJWT } from '@veramo/credential-jwt';
import { CredentialPlugin } from '@veramo/credential-w3c';
import { DIDResolverPlugin } from '@veramo/did-resolver';
import autocannon from 'autocannon';
import { Resolver } from 'did-resolver';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { openService } from '../../src/service.js';
import { fmt, opsPerSecond } from '../support/measure.js';
import { scaleBench } from './scale.js';

const durationMs = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const dataDir = mkdtempSync(join(tmpdir(), 'bench-verify-'));
const config = loadConfig({
  DATA_DIR: dataDir,
  PUBLIC_URL: 'http://localhost:3000',
  KEY_ENCRYPTION_SECRET: '0f'.repeat(32),
  LOG_LEVEL: 'silent',
});
const service = await openService(config, createLogger('silent'));
const document = await service.identity.document();

const veramo = createAgent<IResolver & ICredentialPlugin>({
  plugins: [
    new DIDResolverPlugin({
      resolver: new Resolver({
        // The same cached document for Veramo: no network on either side.
        web: async () => ({
          didDocument: structuredClone(document) as never,
          didDocumentMetadata: {},
          didResolutionMetadata: { contentType: 'application/did+ld+json' },
        }),
      }),
    }),
    new CredentialPlugin([new CredentialProviderJWT()]),
  ],
});

const subject = {
  id: 'did:web:city.example',
  legalName: 'City of Example',
  roles: ['public-authority'],
  sides: ['supply'],
  memberSince: '2026-01-01T00:00:00Z',
  rulebookVersion: '1.0.0',
};

console.log(`bench/verify: one core, ${durationMs / 1000} s rounds, median of 3, Node ${process.version}`);
console.log(
  'credential: MembershipCredential, jwt_vc_json (VCDM 1.1 JWT, the format Veramo verifies), with status entries\n',
);
const rows: string[] = [];
for (const algorithm of ['EdDSA', 'ES256'] as const) {
  const issued = await service.credentials.issuer.issue({
    type: 'MembershipCredential',
    subject,
    format: 'jwt_vc_json',
    algorithm,
  });
  const token = issued.jwt;
  const [h, p, s] = token.split('.') as [string, string, string];
  const signingInput = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  const kid = JSON.parse(Buffer.from(h, 'base64url').toString()).kid as string;
  const method = document.verificationMethod.find((m) => m.id === kid);
  if (!method) throw new Error('no key');
  const publicKey = createPublicKey({ key: method.publicKeyJwk as never, format: 'jwk' });

  const check = await service.credentials.verifyCredential(token);
  if (!check.verified) throw new Error(`pipeline did not verify: ${JSON.stringify(check.checks)}`);
  const veramoCheck = await veramo.verifyCredential({ credential: token });
  if (!veramoCheck.verified) throw new Error(`Veramo did not verify: ${JSON.stringify(veramoCheck.error)}`);

  const native =
    algorithm === 'EdDSA'
      ? () => verify(null, signingInput, publicKey, signature)
      : () => verify('sha256', signingInput, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  const a = await opsPerSecond(native, { durationMs });
  const b = await opsPerSecond(() => service.credentials.verifyCredential(token), { durationMs });
  const c = await opsPerSecond(() => veramo.verifyCredential({ credential: token }), {
    durationMs: Math.min(durationMs, 1000),
  });
  rows.push(
    `${algorithm.padEnd(6)} (a) node:crypto ${fmt(a).padStart(7)}/s  (b) pipeline ${fmt(b).padStart(7)}/s  (c) Veramo ${fmt(c).padStart(6)}/s` +
      `  b/a = ${(b / a).toFixed(2)} (target ≥ 0.50)  b/c = ${(b / c).toFixed(1)}× (target ≥ 10×)`,
  );
  console.log(rows.at(-1));
}

async function startServer(kind: 'trivial' | 'service', port: number): Promise<ChildProcess> {
  // BENCH_PROFILE_DIR: the service's V8 CPU profile is written there (node --cpu-prof).
  const profile = kind === 'service' && process.env.BENCH_PROFILE_DIR;
  const child = fork(new URL('./servers.ts', import.meta.url).pathname, [kind, String(port), dataDir], {
    execArgv: ['--import', 'tsx', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
    stdio: 'inherit',
  });
  const [message] = (await once(child, 'message')) as [string];
  if (message !== 'ready') throw new Error(`${kind} server did not start`);
  return child;
}

async function throughput(port: number, body: string): Promise<{ rps: number; p99: number; non2xx: number }> {
  const run = (seconds: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}/api/v1/credentials/verify`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: 10,
      duration: seconds,
    });
  await run(1); // warm-up
  const result = await run(Math.max(3, durationMs / 1000 + 1));
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx };
}

const httpToken = (
  await service.credentials.issuer.issue({ type: 'MembershipCredential', subject, format: 'vc+jwt' })
).jwt;
await service.close();
const body = JSON.stringify({ credential: httpToken });
const trivial = await startServer('trivial', 39101);
const trivialResult = await throughput(39101, body);
trivial.kill();
const ours = await startServer('service', 39102);
const oursResult = await throughput(39102, body);
ours.kill('SIGINT'); // servers.ts exits on SIGINT, which writes a --cpu-prof profile
console.log(
  `\nHTTP POST /api/v1/credentials/verify (vc+jwt EdDSA, 10 keep-alive connections): ${fmt(oursResult.rps)} req/s, p99 ${oursResult.p99} ms` +
    `\ntrivial koa JSON endpoint:                                                   ${fmt(trivialResult.rps)} req/s, p99 ${trivialResult.p99} ms` +
    `\nratio = ${(oursResult.rps / trivialResult.rps).toFixed(2)} (target ≥ 0.40)` +
    (oursResult.non2xx + trivialResult.non2xx > 0
      ? `  WARNING: ${oursResult.non2xx + trivialResult.non2xx} non-2xx answers`
      : ''),
);
rmSync(dataDir, { recursive: true, force: true });
// Distinct credentials over the real `start` process: node:crypto, 1 and 2 workers, SQLite and PostgreSQL.
await scaleBench();
process.exit(0);
