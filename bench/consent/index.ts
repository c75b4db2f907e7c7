/**
 * bench/consent: the connector's consent check over HTTP against the same indexed lookup made
 * straight through the database driver, in one run, on PostgreSQL with BENCH_RECORDS (default
 * 1,000,000) consent records seeded by the bench itself.
 *
 *   (a) baseline: `pg` (the driver the service uses), a pool of DATABASE_POOL_SIZE (10)
 *       connections, BENCH_CONNECTIONS (32) queries in flight, each the check's own statement
 *       (`consent_record` by `subject_id`, the index the check reads) for a random subject,
 *       called as most code calls it; (a') the same as a named prepared statement, as the
 *       service itself runs it (src/db/prepared.ts): both printed, the target is against (a);
 *   (b) `POST /api/v1/consents/check` with a valid connector token (client credentials,
 *       private_key_jwt), the real `dataspace-trust start` process (one worker), 32 keep-alive
 *       connections from wrk (autocannon where wrk is not installed), a random subject per request.
 * Targets (issue 11): (b) p99 under 10 ms and (b)/(a) ≥ 0.50.
 *
 *   npm run bench:consent   (BENCH_SECONDS=10, BENCH_RECORDS=1000000, TEST_POSTGRES_URL or the local cluster)
 *   BENCH_PROFILE_DIR=dir   also writes a V8 CPU profile of the service process there (node --cpu-prof)
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import pg from 'pg';
import { admit, connectorClient, jwkMember, openDataSpace } from '../../test/connectors/support.js';
import { createPostgresDatabase, isPostgresAvailable } from '../../test/support/databases.js';
import { TEST_SECRET } from '../../test/support/service.js';
import { checkOverHttp, lookupBaseline, printCheckFigures } from '../support/connector-check.js';
import { fmt } from '../support/measure.js';
import { cpuMeter } from '../support/process-cpu.js';
import { startService } from '../support/service-process.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const records = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const POOL_SIZE = 10;
const PURPOSE = 'dpv:ServiceProvision';
const CATEGORY = 'pd:Location';
/** The check's own statement (src/consent/check/check.ts). */
const CHECK_SQL =
  'SELECT id, controller_did, purposes, data_categories, recipients, status, expires_at ' +
  "FROM consent_record WHERE subject_id = $1 AND status <> 'superseded'";

/** The pairwise subject of seeded record `i`: the same formula in SQL (seed) and here (requests). */
function subjectOf(i: number): string {
  return createHash('sha256').update(`s${i}`).digest('base64url');
}
const randomSubject = () => subjectOf(1 + Math.floor(Math.random() * records));

/** `records` consents of `controller`, in batches inside the database (generate_series). */
async function seed(url: string, controller: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const batch = 200_000;
    for (let from = 1; from <= records; from += batch) {
      const to = Math.min(records, from + batch - 1);
      await db.query(
        `INSERT INTO consent_record (id, notice_id, notice_version, notice_hash, controller_did, subject_id,
           citizen_hash, purposes, data_categories, recipients, legal_basis, collection_method, given_at,
           expires_at, status, status_at, ended_at, receipt_id, receipt_sealed, request_key, request_hash,
           active_key, record_hash)
         SELECT 'bench-' || i, 'bench-notice', 1, repeat('0', 64), $1,
           rtrim(translate(encode(sha256(('s' || i)::bytea), 'base64'), '+/', '-_'), '='),
           encode(sha256(('c' || i)::bytea), 'hex'), $2, $3, '[]', 'dpv:Consent', '{"method":"bench"}',
           '2026-11-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z', 'given', '2026-11-01T00:00:00.000Z', NULL,
           'urn:bench:' || i, NULL, NULL, repeat('0', 64), NULL, repeat('0', 64)
         FROM generate_series($4::int, $5::int) AS i`,
        [controller, JSON.stringify([PURPOSE]), JSON.stringify([CATEGORY]), from, to],
      );
    }
    await db.query('ANALYZE consent_record');
  } finally {
    await db.end();
  }
}

if (!(await isPostgresAvailable())) {
  console.log('bench/consent: PostgreSQL does not answer (TEST_POSTGRES_URL): nothing measured');
  process.exit(1);
}
const database = await createPostgresDatabase();
const dataDir = mkdtempSync(join(tmpdir(), 'bench-consent-'));
const url = database.url;
let child: ChildProcess | undefined;
try {
  // A real member, admitted through the membership API, and its connector's token.
  const space = await openDataSpace(
    { kind: 'postgres', dataDir: dataDir, databaseUrl: url },
    { LOG_LEVEL: 'silent' },
  );
  const member = await jwkMember('ES256');
  let token: string;
  let port: number;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: space.running.publicUrl,
    TRUST_ANCHORS_DIR: space.service.config.trustAnchorsDir,
  };
  try {
    await admit(space, member);
    token = (
      await client.clientCredentialsGrant(await connectorClient(space.running, member), {
        scope: 'consents:check',
      })
    ).access_token;
    port = Number(new URL(space.running.publicUrl).port);
  } finally {
    await space.close();
  }
  console.log(
    `bench/consent: ${fmt(records)} consent records on PostgreSQL, ${connections} connections, ${seconds} s rounds, Node ${process.version}`,
  );
  const seeding = performance.now();
  await seed(url, member.did);
  console.log(`seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

  const lookup = {
    url,
    text: CHECK_SQL,
    values: () => [randomSubject()],
    connections,
    poolSize: POOL_SIZE,
    seconds,
  };
  const stock = await lookupBaseline(lookup);
  const named = await lookupBaseline({ ...lookup, name: 'bench_consent_subject' });
  // The token's issuer and audience are this PUBLIC_URL: the service listens on the same port.
  child = await startService(env, port);
  const idle = cpuMeter(child.pid);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const serviceIdleMs = idle.stop().service / 3;
  const http = await checkOverHttp({
    url: `http://127.0.0.1:${port}/api/v1/consents/check`,
    bearer: token,
    body: () => ({ subject: randomSubject(), purpose: PURPOSE, dataCategory: CATEGORY }),
    connections,
    seconds,
    servicePid: child.pid,
  });
  printCheckFigures('/api/v1/consents/check', POOL_SIZE, { stock, named, http, serviceIdleMs });
} finally {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
