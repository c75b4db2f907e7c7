/**
 * bench/connectors: what the connector-token middleware costs. Requests per second, in one run
 * and one process (the client shares the CPU with the server), over HTTP on loopback with
 * keep-alive and BENCH_CONCURRENCY (default 32) requests in flight, of
 *   (a) `GET /health/live`: a trivial route through the same app (the baseline);
 *   (b) `GET /api/v1/connectors/me` with a valid connector token: the bearer token verified
 *       (ES256, key imported once), the scope checked, the member's status read by primary key;
 * and (c) the verifier alone, called in-process (no HTTP, no database).
 * On SQLite, and on PostgreSQL when TEST_POSTGRES_URL (or the local test cluster) answers.
 *
 *   npm run bench:connectors       (BENCH_SECONDS=3 per measurement by default)
 */
import * as client from 'openid-client';
import { admit, connectorClient, jwkMember, openDataSpace } from '../../test/connectors/support.js';
import {
  createPostgresDatabase,
  isPostgresAvailable,
  type TestDatabase,
} from '../../test/support/databases.js';
import { directoryWith } from '../../test/support/temp-dir.js';
import { fmt, opsPerSecond } from '../support/measure.js';

const durationMs = Number(process.env.BENCH_SECONDS ?? 3) * 1000;
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);

/** Requests per second of `url` with `concurrency` requests in flight for `durationMs`. */
async function requestsPerSecond(url: string, headers: Record<string, string>): Promise<number> {
  const once = async () => {
    const response = await fetch(url, { headers });
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    await response.arrayBuffer();
  };
  for (let i = 0; i < 200; i++) await once();
  let count = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await once();
        count++;
      }
    }),
  );
  return (count / (performance.now() - start)) * 1000;
}

async function measure(database: TestDatabase): Promise<void> {
  const space = await openDataSpace(database, { LOG_LEVEL: 'silent', RATE_LIMIT_PER_ADDRESS: '1000000' });
  try {
    const member = await jwkMember('ES256');
    await admit(space, member);
    const tokens = await client.clientCredentialsGrant(await connectorClient(space.running, member), {
      scope: 'consents:check',
    });
    const base = space.running.publicUrl;
    const trivial = await requestsPerSecond(`${base}/health/live`, {});
    const protectedRoute = await requestsPerSecond(`${base}/api/v1/connectors/me`, {
      authorization: `Bearer ${tokens.access_token}`,
    });
    const verifier = space.service.oidc.accessTokens;
    const verified = await opsPerSecond(() => verifier.verify(tokens.access_token), {
      durationMs: Math.min(durationMs, 2000),
    });
    process.stdout.write(
      `${database.kind}: GET /health/live ${fmt(trivial)} req/s; GET /api/v1/connectors/me ${fmt(protectedRoute)} req/s ` +
        `(${Math.round((protectedRoute / trivial) * 100)}% of the trivial route); verifier alone ${fmt(verified)} tokens/s\n`,
    );
  } finally {
    await space.close();
  }
}

process.stdout.write(`bench:connectors, ${concurrency} concurrent, ${durationMs / 1000} s per route\n`);
const sqlite = directoryWith({});
try {
  await measure({ kind: 'sqlite', dataDir: sqlite.dir, databaseUrl: undefined });
} finally {
  sqlite.remove();
}
if (await isPostgresAvailable()) {
  const postgres = await createPostgresDatabase();
  const dir = directoryWith({});
  try {
    await measure({ kind: 'postgres', dataDir: dir.dir, databaseUrl: postgres.url });
  } finally {
    dir.remove();
    await postgres.drop();
  }
}
