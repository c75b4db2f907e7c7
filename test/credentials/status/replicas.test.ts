import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { DataSource } from 'typeorm';
import { type BitstringStatusListEntry, StatusService } from '../../../src/credentials/status/index.js';
import { createDataSource } from '../../../src/db/index.js';
import { ENTITIES } from '../../../src/service.js';
import { describeEachDatabase, type TestDatabase } from '../../support/databases.js';
import { ROOT } from '../../support/process.js';
import { migratedDataSource } from './support.js';

const WORKER = fileURLToPath(new URL('./fixtures/allocate-worker.ts', import.meta.url));

interface Replica {
  readonly ready: Promise<void>;
  start(): void;
  readonly entries: Promise<BitstringStatusListEntry[]>;
}

/** A separate Node process with its own data source (its own connections) on the same database. */
function spawnReplica(database: TestDatabase, env: Record<string, string>): Replica {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATA_DIR: database.dataDir,
      DATABASE_URL: database.databaseUrl ?? '',
      ...env,
    },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let signalReady: () => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    signalReady = resolve;
    child.once('exit', (code) =>
      reject(new Error(`replica exited with ${code} before it was ready: ${stderr}`)),
    );
  });
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (stdout.startsWith('ready\n')) signalReady();
  });
  const exited = once(child, 'exit');
  const entries = exited.then(([code]) => {
    if (code !== 0) throw new Error(`replica exited with ${code}: ${stderr}`);
    return JSON.parse(stdout.slice('ready\n'.length)) as BitstringStatusListEntry[];
  });
  return { ready, start: () => child.stdin.end('go\n'), entries };
}

function places(entries: readonly BitstringStatusListEntry[]): string[] {
  return entries.map((entry) => `${entry.statusListCredential}#${entry.statusListIndex}`);
}

async function assertListsWithinLimit(dataSource: DataSource, expectedEntries: number): Promise<void> {
  const rows = (await dataSource.query('SELECT purpose, sequence, size, allocated FROM status_list')) as {
    purpose: string;
    sequence: number;
    size: number;
    allocated: number;
  }[];
  for (const purpose of ['revocation', 'suspension']) {
    const ofPurpose = rows.filter((row) => row.purpose === purpose).sort((a, b) => a.sequence - b.sequence);
    assert.deepEqual(
      ofPurpose.map((row) => Number(row.sequence)),
      ofPurpose.map((_, i) => i + 1),
      `${purpose}: lists numbered 1..n, none doubled`,
    );
    for (const row of ofPurpose)
      assert.ok(row.allocated * 4 <= row.size * 3, `${purpose} list ${row.sequence} over its limit`);
    assert.equal(
      ofPurpose.reduce((sum, row) => sum + Number(row.allocated), 0),
      expectedEntries,
    );
  }
  const [count] = await dataSource.query('SELECT COUNT(*) AS n FROM status_entry');
  assert.equal(Number(count.n), expectedEntries * 2);
}

describeEachDatabase(
  'Bitstring Status List §2.1 statusListIndex: allocation by several replicas',
  (fresh, kind) => {
    // PostgreSQL only: two SQLite connections in one thread would wait on each other in SQLite's
    // blocking busy handler, which is not how replicas share a SQLite file (the process test is).
    const itOnPostgres = kind === 'postgres' ? it : it.skip;

    itOnPostgres(
      'two data sources (two replicas’ connection pools) allocating at once never share an index',
      async function () {
        this.timeout(60_000);
        const database = await fresh();
        const migrator = await migratedDataSource(database);
        const second = createDataSource({ ...database, entities: ENTITIES, connectTimeoutMs: 60_000 });
        await second.initialize();
        try {
          // Small lists, so that the replicas also race to open the next list, many times over.
          const replicas = [migrator, second].map(
            (dataSource) =>
              new StatusService({ dataSource, publicUrl: 'http://localhost:3000', listSize: 64 }),
          );
          const entries = (
            await Promise.all(
              replicas.flatMap((service, r) =>
                Array.from({ length: 150 }, (_, i) =>
                  service.allocateEntries({ credentialId: `urn:uuid:r${r}-${i}` }),
                ),
              ),
            )
          ).flat();
          assert.equal(new Set(places(entries)).size, 600);
          await assertListsWithinLimit(migrator, 300);
        } finally {
          await second.destroy();
          await migrator.destroy();
        }
      },
    );

    it('two service processes allocating at once never share an index', async function () {
      this.timeout(120_000);
      const database = await fresh();
      const migrator = await migratedDataSource(database);
      try {
        const replicas = ['p1', 'p2'].map((prefix) =>
          spawnReplica(database, { COUNT: '200', PREFIX: prefix, LIST_SIZE: '128' }),
        );
        await Promise.all(replicas.map((replica) => replica.ready));
        for (const replica of replicas) replica.start();
        const entries = (await Promise.all(replicas.map((replica) => replica.entries))).flat();
        assert.equal(entries.length, 800);
        assert.equal(new Set(places(entries)).size, 800);
        await assertListsWithinLimit(migrator, 400);
      } finally {
        await migrator.destroy();
      }
    });
  },
);
