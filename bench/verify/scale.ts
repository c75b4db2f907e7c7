/**
 * bench/verify, second part: HTTP verification over DISTINCT credentials (each verified in
 * full: signature, validity, status against the service's own list, trusted issuer, schema; no
 * result is cached), 32 keep-alive connections, the real `dataspace-trust start` process.
 * Every figure is a ratio against a baseline measured in this same run:
 *   - HTTP with 1 worker vs node:crypto verifying the same tokens on one core (target ≥ 0.50),
 *   - 2 workers vs 1 worker on the same database (target ≥ 1.6; the load generator shares the cores),
 *   - PostgreSQL vs SQLite, 1 worker each (target ≥ 0.90).
 *
 *   BENCH_CREDENTIALS (default 10000) distinct credentials per round;
 *   BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) to create a
 *   scratch database; PostgreSQL is skipped when it does not answer.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createPublicKey, randomBytes, randomUUID, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { loadConfig } from '../../src/config/index.js';
import { serviceSigner } from '../../src/credentials/sign.js';
import { createLogger } from '../../src/log/logger.js';
import { openService } from '../../src/service.js';
import { fmt } from '../support/measure.js';
import { wrkAvailable, wrkPost } from '../support/wrk.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = '0f'.repeat(32);
const CONNECTIONS = 32;
const count = Number(process.env.BENCH_CREDENTIALS ?? 10_000);
const seconds = Number(process.env.BENCH_SECONDS_HTTP ?? 10);
const useWrk = wrkAvailable();
const ALL_CORES = `0-${availableParallelism() - 1}`;
const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Setup {
  readonly env: Record<string, string>;
  readonly tokens: readonly string[];
  readonly warmup: readonly string[];
  cleanup(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A database with the service's identity, and `count` distinct credentials signed by it. */
export async function prepare(kind: 'sqlite' | 'postgres'): Promise<Setup | undefined> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  let databaseUrl: string | undefined;
  let drop = async () => {};
  if (kind === 'postgres') {
    const name = `bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
    try {
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
    } catch {
      await admin.end().catch(() => {});
      return undefined;
    }
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.href;
    drop = async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  }
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PUBLIC_URL: 'http://localhost:3000',
    KEY_ENCRYPTION_SECRET: SECRET,
    LOG_LEVEL: 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const service = await openService(loadConfig(env), createLogger('silent'));
  const template = await service.credentials.issuer.issue({
    type: 'MembershipCredential',
    subject: {
      id: 'did:web:city.example',
      legalName: 'City of Example',
      roles: ['public-authority'],
      sides: ['supply'],
      memberSince: '2026-01-01T00:00:00Z',
      rulebookVersion: '1.0.0',
    },
    format: 'vc+jwt',
  });
  // Distinct credentials: own id, own subject, own status indexes in the service's own lists.
  const payload = decodeJwt(template.jwt) as Record<string, unknown> & {
    credentialStatus: Record<string, unknown>[];
    credentialSubject: Record<string, unknown>;
  };
  const signer = serviceSigner(service.identity);
  const make = async (i: number) => {
    const id = `urn:uuid:${randomUUID()}`;
    return signer.sign(
      {
        ...payload,
        id,
        ...(payload.jti !== undefined ? { jti: id } : {}),
        ...(payload.sub !== undefined ? { sub: `did:web:member-${i}.example` } : {}),
        credentialSubject: { ...payload.credentialSubject, id: `did:web:member-${i}.example` },
        credentialStatus: payload.credentialStatus.map((entry, k) => ({
          ...entry,
          id: `${String(entry.statusListCredential)}#${(i * 2 + k) % 131_072}`,
          statusListIndex: String((i * 2 + k) % 131_072),
        })),
      },
      { typ: 'vc+jwt' },
    );
  };
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) tokens.push(await make(i));
  const warmup: string[] = [];
  for (let i = 0; i < 1000; i++) warmup.push(await make(count + i));
  const check = await service.credentials.verifyCredential(tokens[0]);
  if (!check.verified) throw new Error(`a bench credential does not verify: ${JSON.stringify(check.checks)}`);
  await service.close();
  return {
    env,
    tokens,
    warmup,
    cleanup: async () => {
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** node:crypto alone verifying the same tokens on this core: the limit. */
export async function rawCrypto(setup: Setup): Promise<number> {
  const service = await openService(loadConfig(setup.env), createLogger('silent'));
  const document = await service.identity.document();
  await service.close();
  const keys = new Map(
    document.verificationMethod.map((m) => [
      m.id,
      createPublicKey({ key: m.publicKeyJwk as never, format: 'jwk' }),
    ]),
  );
  const parsed = setup.tokens.map((token) => {
    const [h, p, s] = token.split('.') as [string, string, string];
    const kid = JSON.parse(Buffer.from(h, 'base64url').toString()).kid as string;
    return { input: Buffer.from(`${h}.${p}`), signature: Buffer.from(s, 'base64url'), key: keys.get(kid) };
  });
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    for (const { input, signature, key } of parsed) {
      if (!key || !verify(null, input, key, signature)) throw new Error('raw verify failed');
    }
    rounds.push((parsed.length / (performance.now() - start)) * 1000);
  }
  return rounds.sort((a, b) => a - b)[1] as number;
}

/** Ed25519 verifications a second for 3 s, in a process of its own (the child of `coreRate`). */
const CORE_RATE_SCRIPT = `
import { generateKeyPairSync, sign, verify } from 'node:crypto';
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const data = Buffer.alloc(700, 1);
const signature = sign(null, data, privateKey);
let count = 0;
const end = performance.now() + 3000;
while (performance.now() < end) {
  for (let i = 0; i < 100; i++) verify(null, data, publicKey, signature);
  count += 100;
}
console.log(String(count / 3));
`;

function coreRate(core: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      'taskset',
      ['-c', String(core), process.execPath, '--input-type=module', '-e', CORE_RATE_SCRIPT],
      (error, stdout) => (error ? reject(error) : resolve(Number(stdout.trim()))),
    );
  });
}

/**
 * What this machine itself gives a second process: node:crypto on core 0 alone, then on cores 0
 * and 1 at once. On a virtual machine the two cores need not be equal, nor free of the host's
 * other work; the sum over the single rate is the ceiling of "2 workers / 1 worker" before the
 * load generator takes its share. Undefined without taskset.
 */
export async function twoCoreScaling(): Promise<number | undefined> {
  try {
    const alone = await coreRate(0);
    const [first, second] = await Promise.all([coreRate(0), coreRate(1)]);
    return (first + second) / alone;
  } catch {
    return undefined;
  }
}

/** Moves a process (this one by default; every thread) to one core, where taskset exists (util-linux). */
export function pinToCore(core: number, pid: number | undefined = process.pid): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
  } catch {
    console.log('(taskset not found: the load generator and the service share the cores)');
  }
}

export async function startServer(
  setup: Setup,
  workers: number,
): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const profile = process.env.BENCH_PROFILE_DIR;
  const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  // One worker runs on core 0 and this process (the load generator) on core 1, so that "one
  // core" means one core; two workers share both cores with the load generator.
  // This process has moved itself to core 1 (pinToCore): a child inherits that, so the cores of
  // two workers are named too.
  const pin = ['taskset', '-c', workers === 1 ? '0' : ALL_CORES];
  const [command, ...args] = [
    ...pin,
    process.execPath,
    ...flags,
    '--import',
    'tsx',
    'src/cli/bin.ts',
    'start',
  ];
  const child = spawn(command as string, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...setup.env, PORT: String(port), WORKERS: String(workers) },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error('the service did not start');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { port, child };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * Requests per second over the tokens. With wrk: round robin over the tokens for BENCH_SECONDS
 * (default 10), wrk pinned to core 1 when the service has core 0. Without wrk: autocannon in
 * this process, each token posted once.
 */
async function throughput(port: number, tokens: readonly string[], workers: number, seconds: number) {
  const bodies = tokens.map((token) => JSON.stringify({ credential: token }));
  const url = `http://127.0.0.1:${port}/api/v1/credentials/verify`;
  if (useWrk) {
    const r = await wrkPost({
      url,
      bodies,
      accept: '"verified":true',
      seconds,
      connections: CONNECTIONS,
      cores: workers === 1 ? '1' : ALL_CORES,
    });
    return { rps: r.rps, p99: r.p99, unverified: r.rejected + r.socketErrors };
  }
  let next = 0;
  let unverified = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: CONNECTIONS,
    amount: bodies.length,
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] as string }),
        onResponse: (status, body) => {
          if (status !== 200 || !body.includes('"verified":true')) unverified++;
        },
      },
    ],
  });
  return { rps: result.requests.total / result.duration, p99: result.latency.p99, unverified };
}

async function measure(setup: Setup, workers: number) {
  const { port, child } = await startServer(setup, workers);
  try {
    await throughput(port, setup.warmup, workers, 3);
    return await throughput(port, setup.tokens, workers, seconds);
  } finally {
    await stopServer(child);
  }
}

export async function scaleBench(): Promise<void> {
  pinToCore(1);
  console.log(
    `\nHTTP POST /api/v1/credentials/verify: ${fmt(count)} distinct vc+jwt EdDSA credentials, each verified in full, ${CONNECTIONS} keep-alive connections, ${useWrk ? `wrk, ${seconds} s round robin (the service on core 0 and wrk on core 1 for one worker)` : 'autocannon (wrk not installed or BENCH_LOAD_GENERATOR=autocannon), each posted once'}`,
  );
  const sqlite = await prepare('sqlite');
  if (!sqlite) throw new Error('no SQLite setup');
  try {
    const raw = await rawCrypto(sqlite);
    const one = await measure(sqlite, 1);
    const two = await measure(sqlite, 2);
    const line = (label: string, r: { rps: number; p99: number; unverified: number }) =>
      `${label.padEnd(26)} ${fmt(r.rps).padStart(7)} req/s  p99 ${String(r.p99).padStart(4)} ms${r.unverified ? `  WARNING: ${r.unverified} not verified` : ''}`;
    console.log(`node:crypto verify, one core  ${fmt(raw).padStart(7)} /s   (the limit)`);
    console.log(line('SQLite, 1 worker', one));
    console.log(line('SQLite, 2 workers', two));
    console.log(`  1 worker / node:crypto    = ${(one.rps / raw).toFixed(2)} (target ≥ 0.50)`);
    console.log(
      `  2 workers / 1 worker      = ${(two.rps / one.rps).toFixed(2)} (target ≥ 1.60; the load generator shares the cores)`,
    );
    const ceiling = await twoCoreScaling();
    if (ceiling !== undefined)
      console.log(
        `  node:crypto on cores 0 and 1 at once = ${ceiling.toFixed(2)} × core 0 alone (the machine's own ceiling for 2 workers / 1, before the load generator's share)`,
      );
    const postgres = await prepare('postgres');
    if (!postgres) {
      console.log('PostgreSQL: skipped (no server at BENCH_POSTGRES_URL)');
      return;
    }
    try {
      const pgOne = await measure(postgres, 1);
      const pgTwo = await measure(postgres, 2);
      console.log(line('PostgreSQL, 1 worker', pgOne));
      console.log(line('PostgreSQL, 2 workers', pgTwo));
      console.log(`  PostgreSQL / SQLite, 1 worker = ${(pgOne.rps / one.rps).toFixed(2)} (target ≥ 0.90)`);
      console.log(`  PostgreSQL 2 workers / 1      = ${(pgTwo.rps / pgOne.rps).toFixed(2)}`);
    } finally {
      await postgres.cleanup();
    }
  } finally {
    await sqlite.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await scaleBench();
  process.exit(0);
}
