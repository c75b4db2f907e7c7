/**
 * bench/verify/stack.ts: where a verification over HTTP spends its CPU, on one core. Over the
 * same distinct credentials (scale.ts's setup, SQLite), in one run:
 *   (a) node:crypto, the signature alone (the limit);
 *   (b) the pipeline in process (`verifyCredential`, no HTTP);
 *   (c) a bare node:http server answering the same pipeline (stack-server.ts): the floor of any
 *       HTTP front;
 *   (d) the real `dataspace-trust start` process (verification goes through its connector lane,
 *       src/http/lane, with the request log, metrics, headers, deadline and body limit).
 * (c) and (d) run on core 0 with wrk on core 1; each prints its rate and the service's CPU per
 * request (from /proc). Needs wrk.
 *
 *   npm run bench:verify-stack      (BENCH_CREDENTIALS, default 10000)
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { openService } from '../../src/service.js';
import { fmt } from '../support/measure.js';
import { cpuMeter } from '../support/process-cpu.js';
import { wrkAvailable, wrkPost } from '../support/wrk.js';
import { freePort, pinToCore, prepare, rawCrypto, startServer, stopServer } from './scale.js';

if (!wrkAvailable()) throw new Error('bench:verify-stack needs wrk (apt-get install wrk)');
pinToCore(1);
const setup = await prepare('sqlite');
if (!setup) throw new Error('no SQLite setup');
const bodies = setup.tokens.map((token) => JSON.stringify({ credential: token }));

async function overHttp(port: number, pid: number | undefined) {
  const url = `http://127.0.0.1:${port}/api/v1/credentials/verify`;
  const load = (seconds: number) =>
    wrkPost({ url, bodies, accept: '"verified":true', seconds, connections: 32, cores: '1' });
  await load(3);
  const meter = cpuMeter(pid);
  const result = await load(10);
  const cpu = meter.stop();
  if (result.rejected + result.socketErrors > 0) throw new Error('a bench credential was not verified');
  return { rps: result.rps, cpuUs: (cpu.service * 1000) / result.requests };
}

try {
  const raw = await rawCrypto(setup);
  const service = await openService(loadConfig(setup.env), createLogger('silent'));
  let pipeline = 0;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    for (const token of setup.tokens) {
      if (!(await service.credentials.verifyCredential(token)).verified) throw new Error('not verified');
    }
    pipeline = Math.max(pipeline, (setup.tokens.length / (performance.now() - start)) * 1000);
  }
  await service.close();

  const barePort = await freePort();
  const bare = fork(fileURLToPath(new URL('./stack-server.ts', import.meta.url)), [String(barePort)], {
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env.PATH ?? '', ...setup.env },
    stdio: 'ignore',
  });
  await once(bare, 'message');
  // fork cannot wrap the child in taskset: the bare server moves itself to core 0.
  pinToCore(0, bare.pid);
  const floor = await overHttp(barePort, bare.pid);
  bare.kill();
  const { port, child } = await startServer(setup, 1);
  const ours = await overHttp(port, child.pid);
  await stopServer(child);

  const row = (label: string, rps: number, cpu?: number) =>
    `${label.padEnd(44)} ${fmt(rps).padStart(7)} /s  ${(rps / raw).toFixed(2)} of (a)${cpu === undefined ? '' : `  service CPU ${fmt(cpu)} µs/request`}`;
  console.log(
    `\nbench/verify/stack: ${fmt(setup.tokens.length)} distinct vc+jwt EdDSA credentials, one core`,
  );
  console.log(row('(a) node:crypto, the signature alone', raw));
  console.log(row('(b) the pipeline, in process', pipeline));
  console.log(row('(c) bare node:http + the pipeline', floor.rps, floor.cpuUs));
  console.log(row('(d) dataspace-trust start (connector lane)', ours.rps, ours.cpuUs));
  console.log(
    `    (d)/(c) = ${(ours.rps / floor.rps).toFixed(2)}: what the service's front above bare node:http costs`,
  );
} finally {
  await setup.cleanup();
}
process.exit(0);
