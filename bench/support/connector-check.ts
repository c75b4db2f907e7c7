/**
 * The two measurements the connector-check benches (consent, agreements) make, in one place:
 *
 *   - `lookupBaseline`: the check's own indexed statement straight through `pg` (the driver the
 *     service uses), `connections` in flight over a pool of `poolSize`, called as most code calls
 *     it (`pool.query(text, values)`) or, with `name`, as a named prepared statement, the form
 *     the service runs it in (src/db/prepared.ts);
 *   - `checkOverHttp`: the check's route on the real service process, `connections` keep-alive
 *     connections, a new body per request, from wrk where it is installed (bench/support/wrk.ts:
 *     a C load generator that leaves the cores to the service and PostgreSQL) and from autocannon
 *     otherwise.
 *
 * Each returns its rate, p99, and the CPU each party used per request (bench/support/process-cpu.ts).
 */
import autocannon from 'autocannon';
import pg from 'pg';
import { type CpuSplit, cpuMeter, perRequest } from './process-cpu.js';
import { wrkAvailable, wrkPost } from './wrk.js';

export interface LookupOptions {
  readonly url: string;
  readonly text: string;
  /** A statement name: the named (prepared once per connection) form. */
  readonly name?: string;
  /** The parameters of one lookup (a random seeded row). */
  readonly values: () => unknown[];
  readonly connections: number;
  readonly poolSize: number;
  readonly seconds: number;
}

export interface LookupFigures {
  readonly qps: number;
  readonly p99: number;
  readonly count: number;
  readonly cpu: CpuSplit;
}

export async function lookupBaseline(options: LookupOptions): Promise<LookupFigures> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize });
  const query = (values: unknown[]) =>
    options.name
      ? pool.query({ name: options.name, text: options.text, values })
      : pool.query(options.text, values);
  const run = async (durationMs: number) => {
    const latencies: number[] = [];
    const deadline = performance.now() + durationMs;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < deadline) {
          const began = performance.now();
          const { rows } = await query(options.values());
          if (rows.length !== 1) throw new Error('a seeded row was not found');
          latencies.push(performance.now() - began);
        }
      }),
    );
    latencies.sort((x, y) => x - y);
    return {
      qps: (latencies.length / (performance.now() - start)) * 1000,
      p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
      count: latencies.length,
    };
  };
  try {
    await run(2_000); // warm-up: the index in shared buffers
    const meter = cpuMeter();
    const measured = await run(options.seconds * 1000);
    return { ...measured, cpu: meter.stop() };
  } finally {
    await pool.end();
  }
}

export interface HttpCheckOptions {
  readonly url: string;
  readonly bearer: string;
  /** The JSON body of one check (a random seeded row). */
  readonly body: () => unknown;
  readonly connections: number;
  readonly seconds: number;
  /** The service process, for its CPU per request. */
  readonly servicePid: number | undefined;
}

export interface HttpCheckFigures {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
  /** Answers other than 200, and 200s that were not `permitted: true` (both should be 0). */
  readonly refused: number;
  readonly notPermitted: number;
  readonly cpu: CpuSplit;
}

export async function checkOverHttp(options: HttpCheckOptions): Promise<HttpCheckFigures> {
  if (wrkAvailable()) return checkWithWrk(options);
  let refused = 0;
  let notPermitted = 0;
  const run = (duration: number) =>
    autocannon({
      url: options.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.bearer}` },
      connections: options.connections,
      duration,
      requests: [
        {
          setupRequest: (request) => ({ ...request, body: JSON.stringify(options.body()) }),
          onResponse: (status, body) => {
            if (status !== 200) refused++;
            else if (!body.includes('"permitted":true')) notPermitted++;
          },
        },
      ],
    });
  await run(2); // warm-up: the JIT and the pool
  refused = 0;
  notPermitted = 0;
  const meter = cpuMeter(options.servicePid);
  const result = await run(options.seconds);
  const cpu = meter.stop();
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    count: result.requests.total,
    refused,
    notPermitted,
    cpu,
  };
}

/** How many distinct bodies wrk cycles through (each a random seeded row, drawn in advance). */
const WRK_BODIES = 50_000;

async function checkWithWrk(options: HttpCheckOptions): Promise<HttpCheckFigures> {
  const bodies = Array.from({ length: WRK_BODIES }, () => JSON.stringify(options.body()));
  const run = (seconds: number) =>
    wrkPost({
      url: options.url,
      bodies,
      accept: '"permitted":true',
      authorization: `Bearer ${options.bearer}`,
      seconds,
      connections: options.connections,
    });
  await run(2); // warm-up: the JIT and the pool
  const meter = cpuMeter(options.servicePid);
  const result = await run(options.seconds);
  const cpu = meter.stop();
  return {
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    count: result.requests,
    // wrk counts answers that are not 200 or not permitted together.
    refused: result.socketErrors,
    notPermitted: result.rejected,
    cpu: { ...cpu, client: result.clientCpuMs },
  };
}

/** Prints the figures of one connector-check bench and its two ratios. */
export function printCheckFigures(
  route: string,
  poolSize: number,
  figures: { stock: LookupFigures; named: LookupFigures; http: HttpCheckFigures; serviceIdleMs: number },
): void {
  const { stock, named, http } = figures;
  const rate = (n: number) => Math.round(n).toLocaleString('en-US').padStart(7);
  console.log(`service idle: ${figures.serviceIdleMs.toFixed(0)} ms CPU per second`);
  console.log(
    `(a)  pg driver, indexed lookup, pool ${poolSize}:    ${rate(stock.qps)} /s   p99 ${stock.p99.toFixed(1)} ms`,
  );
  console.log(
    `(a') the same, named prepared statement:   ${rate(named.qps)} /s   p99 ${named.p99.toFixed(1)} ms`,
  );
  console.log(
    `(b)  POST ${route} over HTTP: ${rate(http.rps)} /s   p50 ${http.p50.toFixed(1)} ms  p99 ${http.p99.toFixed(1)} ms` +
      (http.refused || http.notPermitted
        ? `  WARNING: ${http.refused} refused, ${http.notPermitted} not permitted`
        : ''),
  );
  console.log(`     (a)  ${perRequest(stock.cpu, stock.count)}`);
  console.log(`     (a') ${perRequest(named.cpu, named.count)}`);
  console.log(`     (b)  ${perRequest(http.cpu, http.count)}`);
  console.log(
    `     load generator: ${wrkAvailable() ? 'wrk' : 'autocannon (wrk not installed or BENCH_LOAD_GENERATOR=autocannon)'}`,
  );
  console.log(`     p99 ${http.p99.toFixed(1)} ms (target < 10 ms)`);
  console.log(`     b/a  = ${(http.rps / stock.qps).toFixed(2)} (target ≥ 0.50)`);
  console.log(
    `     b/a' = ${(http.rps / named.qps).toFixed(2)} (against the prepared form the service runs)`,
  );
}
