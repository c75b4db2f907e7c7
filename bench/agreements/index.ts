/**
 * bench/agreements: the connector's agreement check over HTTP against the same indexed lookup
 * made straight through the database driver, in one run, on PostgreSQL with BENCH_AGREEMENTS
 * (default 100,000) active agreements seeded by the bench itself.
 *
 * One real agreement is concluded through the API (offer published by the provider's
 * connector, accepted by the consumer's, signed by both DIDs); the bench then copies its row
 * in SQL (generate_series), each copy over its own target (`…/datasets/<i>`, in the policy as
 * well), so that every seeded agreement is a real, active, signed one as the check reads it.
 *
 *   (a) baseline: `pg`, a pool of 10 connections, BENCH_CONNECTIONS (32) queries in flight,
 *       each the check's own lookup (`agreement` by provider, consumer and target: the index
 *       `agreement_parties_target`, the columns the checks read) for a random target, called as
 *       most code calls it; (a') the same as a named prepared statement, the form the service
 *       runs it in: both printed, the target is against (a);
 *   (b) `POST /api/v1/agreements/check` `{ provider, target, action, purpose }` with the
 *       consumer's connector token (client credentials, private_key_jwt), the real
 *       `dataspace-trust start` process (one worker), 32 keep-alive connections (wrk; autocannon where wrk is not installed).
 * Targets (issue 13): (b) p99 under 10 ms and (b)/(a) ≥ 0.50.
 *
 *   npm run bench:agreements   (BENCH_SECONDS=10, BENCH_AGREEMENTS=100000, TEST_POSTGRES_URL or the local cluster)
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import pg from 'pg';
import request from 'supertest';
import {
  admit,
  connectorClient,
  type DataSpace,
  jwkMember,
  type Member,
  openDataSpace,
} from '../../test/connectors/support.js';
import { createPostgresDatabase, isPostgresAvailable } from '../../test/support/databases.js';
import { TEST_SECRET } from '../../test/support/service.js';
import { checkOverHttp, lookupBaseline, printCheckFigures } from '../support/connector-check.js';
import { fmt } from '../support/measure.js';
import { cpuMeter } from '../support/process-cpu.js';
import { startService } from '../support/service-process.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const agreements = Number(process.env.BENCH_AGREEMENTS ?? 100_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const POOL_SIZE = 10;
const PURPOSE = 'dpv:ServiceProvision';
/** The check's own statement (src/agreements/check/check.ts, the columns its checks read). */
const CHECK_SQL =
  'SELECT id, provider_did, consumer_did, target, status, ends_at, activated_at, uses, policy_model, proposed_at ' +
  'FROM agreement WHERE provider_did = $1 AND consumer_did = $2 AND target = $3';
const TEMPLATE = 'https://bench.example/datasets/TEMPLATE';
const targetOf = (i: number) => TEMPLATE.replace('TEMPLATE', String(i));
const randomTarget = () => targetOf(1 + Math.floor(Math.random() * agreements));

async function token(space: DataSpace, member: Member): Promise<string> {
  return (
    await client.clientCredentialsGrant(await connectorClient(space.running, member), { scope: 'agreements' })
  ).access_token;
}

/** Concludes the template agreement through the API: offer, acceptance, both signatures. */
async function conclude(space: DataSpace, provider: Member, consumer: Member): Promise<string> {
  const app = space.service.app.callback();
  const offer = await request(app)
    .post('/api/v1/offers')
    .set('authorization', `Bearer ${await token(space, provider)}`)
    .send({
      policy: {
        '@context': 'http://www.w3.org/ns/odrl.jsonld',
        '@type': 'Offer',
        target: TEMPLATE,
        permission: [
          {
            action: 'use',
            constraint: [
              {
                leftOperand: 'purpose',
                operator: 'isAnyOf',
                rightOperand: [PURPOSE, 'dpv:ImproveTransportMobility'],
              },
            ],
          },
        ],
        prohibition: [{ action: 'distribute' }],
      },
    });
  if (offer.status !== 201) throw new Error(`offer refused: ${offer.text}`);
  const proposed = await request(app)
    .post('/api/v1/agreements')
    .set('authorization', `Bearer ${await token(space, consumer)}`)
    .send({ offer: offer.body.id, version: offer.body.version });
  if (proposed.status !== 201) throw new Error(`proposal refused: ${proposed.text}`);
  for (const party of [consumer, provider]) {
    const statement = await party.sign({
      iss: party.did,
      aud: space.service.identity.did,
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      action: 'sign-agreement',
      agreement: proposed.body.id,
      hash: proposed.body.hash,
    });
    const signed = await request(app)
      .post(`/api/v1/agreements/${proposed.body.id}/signatures`)
      .send({ statement });
    if (signed.status !== 200) throw new Error(`signature refused: ${signed.text}`);
  }
  return proposed.body.id as string;
}

/** `agreements` copies of the template agreement, each over its own target. */
async function seed(url: string, template: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const columns =
      'origin, offer_id, offer_version, provider_did, consumer_did, proposed_by, proposed_at, ends_at, status, ' +
      'status_at, activated_at, suspended_parties, provider_signature, consumer_signature, ended_by, end_reason, ' +
      'provider_credential_id, consumer_credential_id, provider_credential, consumer_credential, uses, request_hash';
    const batch = 50_000;
    for (let from = 1; from <= agreements; from += batch) {
      const to = Math.min(agreements, from + batch - 1);
      await db.query(
        `INSERT INTO agreement (id, target, policy, policy_model, terms, hash, request_key, ${columns})
         SELECT 'agreement-bench-' || i, replace(a.target, 'TEMPLATE', i::text),
           replace(a.policy, 'TEMPLATE', i::text), replace(a.policy_model, 'TEMPLATE', i::text),
           replace(a.terms, 'TEMPLATE', i::text), a.hash, NULL, ${columns.replace(/(\w+)/g, 'a.$1')}
         FROM agreement a, generate_series($2::int, $3::int) AS i WHERE a.id = $1`,
        [template, from, to],
      );
    }
    await db.query('ANALYZE agreement');
  } finally {
    await db.end();
  }
}

if (!(await isPostgresAvailable())) {
  console.log('bench/agreements: PostgreSQL does not answer (TEST_POSTGRES_URL): nothing measured');
  process.exit(1);
}
const database = await createPostgresDatabase();
const dataDir = mkdtempSync(join(tmpdir(), 'bench-agreements-'));
const url = database.url;
let child: ChildProcess | undefined;
try {
  const space = await openDataSpace({ kind: 'postgres', dataDir, databaseUrl: url }, { LOG_LEVEL: 'silent' });
  const provider = await jwkMember('ES256');
  const consumer = await jwkMember('ES256');
  let bearer: string;
  let template: string;
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
    await admit(space, provider, ['data-provider'], 'Bench Provider Ltd');
    await admit(space, consumer, ['data-consumer'], 'Bench Consumer Ltd');
    template = await conclude(space, provider, consumer);
    bearer = await token(space, consumer);
    port = Number(new URL(space.running.publicUrl).port);
  } finally {
    await space.close();
  }
  console.log(
    `bench/agreements: ${fmt(agreements)} active agreements on PostgreSQL, ${connections} connections, ${seconds} s rounds, Node ${process.version}`,
  );
  const seeding = performance.now();
  await seed(url, template);
  console.log(`seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

  const lookup = {
    url,
    text: CHECK_SQL,
    values: () => [provider.did, consumer.did, randomTarget()],
    connections,
    poolSize: POOL_SIZE,
    seconds,
  };
  const stock = await lookupBaseline(lookup);
  const named = await lookupBaseline({ ...lookup, name: 'bench_agreement_parties' });
  // The token's issuer and audience are this PUBLIC_URL: the service listens on the same port.
  child = await startService(env, port);
  const idle = cpuMeter(child.pid);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const serviceIdleMs = idle.stop().service / 3;
  const http = await checkOverHttp({
    url: `http://127.0.0.1:${port}/api/v1/agreements/check`,
    bearer,
    body: () => ({ provider: provider.did, target: randomTarget(), action: 'read', purpose: PURPOSE }),
    connections,
    seconds,
    servicePid: child.pid,
  });
  printCheckFigures('/api/v1/agreements/check', POOL_SIZE, { stock, named, http, serviceIdleMs });
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
