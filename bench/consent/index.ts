/**
 * bench/consent: the connector check at scale (issue 11, "Performance"), on PostgreSQL. The
 * bench seeds CONSENT_BENCH_RECORDS (default 1,000,000) consent records of one notice (one in
 * ten withdrawn) with INSERT … SELECT generate_series, then measures over HTTP on loopback with
 * keep-alive and BENCH_CONCURRENCY (default 32) requests in flight, for BENCH_SECONDS each:
 *   (a) POST /api/v1/consents/check with a valid connector token (scope consents:check), about
 *       random subjects: requests/s, p50 and p99 latency;
 *   (b) the baseline: the same indexed lookup (the check's SQL) straight through the same driver,
 *       a pg Pool of DATABASE_POOL_SIZE connections, with as many lookups in flight: lookups/s.
 * It prints the ratio (a)/(b). The targets: p99 under 10 ms, ratio at least 50 %.
 *
 *   npm run bench:consent
 */
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import pg from 'pg';
import { admit, connectorClient, jwkMember, openDataSpace } from '../../test/connectors/support.js';
import { createPostgresDatabase, isPostgresAvailable } from '../../test/support/databases.js';
import { directoryWith } from '../../test/support/temp-dir.js';
import { fmt } from '../support/measure.js';

const records = Number(process.env.CONSENT_BENCH_RECORDS ?? 1_000_000);
const durationMs = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const BATCH = 100_000;

/** The pairwise identifier of bench subject `n`, as the seeding SQL computes it. */
const subject = (n: number) => createHash('sha256').update(`bench-${n}`).digest('base64url');
const randomSubject = () => subject(1 + Math.floor(Math.random() * records));

const SEED = `INSERT INTO consent_record (id, notice_id, notice_version, notice_hash, controller_did, subject_id,
  citizen_hash, purposes, data_categories, recipients, legal_basis, collection_method, given_at, expires_at,
  status, status_at, ended_at, receipt_id, receipt_sealed, request_key, request_hash, active_key, record_hash)
SELECT 'consent-bench-' || g, $1::text, 1, $2::text, $3::text,
  rtrim(translate(encode(sha256(convert_to('bench-' || g, 'UTF8')), 'base64'), '+/', '-_'), '='),
  encode(sha256(convert_to('citizen-' || g, 'UTF8')), 'hex'),
  '["dpv:ServiceProvision"]', '["pd:Location"]', '[]', 'dpv:Consent', '{"method":"wallet-login"}',
  $4::text, $5::text, CASE WHEN g % 10 = 0 THEN 'withdrawn' ELSE 'given' END, $4::text,
  CASE WHEN g % 10 = 0 THEN $4::text ELSE NULL END, 'urn:uuid:bench-' || g, NULL, NULL, repeat('0', 64), NULL, repeat('0', 64)
FROM generate_series($6::integer, $7::integer) AS g`;

/** The check's own lookup (src/consent/check/check.ts). */
const LOOKUP =
  "SELECT id, controller_did, purposes, data_categories, recipients, status, expires_at FROM consent_record WHERE subject_id = $1 AND status <> 'superseded'";

interface Run {
  readonly perSecond: number;
  readonly latencies: number[];
}

/** Runs `once` with `concurrency` in flight for `durationMs` (after a warm-up), timing each. */
async function run(once: () => Promise<void>): Promise<Run> {
  for (let i = 0; i < 300; i++) await once();
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const began = performance.now();
        await once();
        latencies.push(performance.now() - began);
      }
    }),
  );
  return { perSecond: (latencies.length / (performance.now() - start)) * 1000, latencies };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  if (!(await isPostgresAvailable())) {
    process.stdout.write('bench:consent needs PostgreSQL (TEST_POSTGRES_URL): skipped\n');
    return;
  }
  const database = await createPostgresDatabase();
  const dir = directoryWith({});
  const space = await openDataSpace(
    { kind: 'postgres', dataDir: dir.dir, databaseUrl: database.url },
    { LOG_LEVEL: 'silent', RATE_LIMIT_PER_ADDRESS: '1000000' },
  );
  const seeder = new pg.Client({ connectionString: database.url });
  const pool = new pg.Pool({ connectionString: database.url, max: space.service.config.databasePoolSize });
  try {
    const member = await jwkMember('ES256');
    await admit(space, member, ['public-authority'], 'City of Example');
    const { notice } = await space.service.consent.notices.publishByConnector(member.did, {
      title: 'Bench notice',
      purposes: ['dpv:ServiceProvision'],
      dataCategories: ['pd:Location'],
      recipients: [],
      legalBasis: 'dpv:Consent',
      retentionDays: 730,
      jurisdiction: 'DE',
      language: 'en',
      text: 'Seeded by bench:consent.',
    });
    await seeder.connect();
    const seeded = performance.now();
    const given = new Date().toISOString();
    const expires = new Date(Date.now() + 700 * 86_400_000).toISOString();
    for (let from = 1; from <= records; from += BATCH) {
      const to = Math.min(records, from + BATCH - 1);
      await seeder.query(SEED, [notice.id, notice.hash, member.did, given, expires, from, to]);
    }
    await seeder.query('ANALYZE consent_record');
    process.stdout.write(
      `bench:consent: ${fmt(records)} records seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s; ` +
        `${concurrency} in flight, ${durationMs / 1000} s per measurement\n`,
    );
    const tokens = await client.clientCredentialsGrant(await connectorClient(space.running, member), {
      scope: 'consents:check',
    });
    const url = `${space.running.publicUrl}/api/v1/consents/check`;
    const headers = { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' };
    const check = await run(async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          subject: randomSubject(),
          purpose: 'dpv:ServiceProvision',
          dataCategory: 'pd:Location',
        }),
      });
      if (response.status !== 200)
        throw new Error(`the check answered ${response.status}: ${await response.text()}`);
      const answer = (await response.json()) as { permitted: boolean; reasons: { code: string }[] };
      if (!answer.permitted && answer.reasons[0]?.code !== 'withdrawn')
        throw new Error(JSON.stringify(answer));
    });
    const baseline = await run(async () => {
      const result = await pool.query(LOOKUP, [randomSubject()]);
      if (result.rows.length !== 1) throw new Error('the seeded subject was not found');
    });
    const p99 = percentile(check.latencies, 99);
    const ratio = check.perSecond / baseline.perSecond;
    process.stdout.write(
      `  POST /api/v1/consents/check: ${fmt(check.perSecond)} req/s, p50 ${percentile(check.latencies, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (target < 10 ms: ${p99 < 10 ? 'met' : 'NOT met'})\n` +
        `  the same lookup through pg (${space.service.config.databasePoolSize} connections): ${fmt(baseline.perSecond)} lookups/s, p99 ${percentile(baseline.latencies, 99).toFixed(2)} ms\n` +
        `  ratio ${Math.round(ratio * 100)} % (target ≥ 50 %: ${ratio >= 0.5 ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    await pool.end().catch(() => {});
    await seeder.end().catch(() => {});
    await space.close();
    dir.remove();
    await database.drop();
  }
}

await main();
