/**
 * HTTP load from wrk (https://github.com/wg/wrk, Debian package `wrk`), where it is installed: a
 * C load generator that costs a fraction of the CPU autocannon (Node) costs for the same load.
 * On a 2-core machine the load generator shares the cores with the service, so a lighter one
 * lets the service's own figures show (and lets "two workers" have a core each).
 *
 * Each request posts the next body of a list, round robin (every body is a distinct request:
 * the service caches no verification result). An answer counts as accepted when its status is
 * 200 and its body contains `accept`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  /** Answers that were not 200 or whose body lacked the `accept` text. */
  readonly rejected: number;
  readonly socketErrors: number;
  /** CPU milliseconds wrk itself used (the load generator's cost). */
  readonly clientCpuMs: number;
}

/** Whether the benches load with wrk: installed, and not turned off (BENCH_LOAD_GENERATOR=autocannon). */
export function wrkAvailable(): boolean {
  if (process.env.BENCH_LOAD_GENERATOR === 'autocannon') return false;
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version.
    return (error as { status?: number }).status === 1;
  }
}

const SCRIPT = `
local bodies = {}
for line in io.lines(os.getenv("WRK_BODIES")) do bodies[#bodies + 1] = line end
local accept = os.getenv("WRK_ACCEPT")
local headers = { ["Content-Type"] = "application/json" }
local extra = os.getenv("WRK_AUTHORIZATION")
if extra and #extra > 0 then headers["Authorization"] = extra end
local path = os.getenv("WRK_PATH")
local threads = {}
local requests = {}
local i = 0
rejected = 0
function setup(thread) table.insert(threads, thread) end
function init(args)
  -- Every request formatted once, up front: request() only hands the next one out.
  for k, body in ipairs(bodies) do requests[k] = wrk.format("POST", path, headers, body) end
  i = math.random(0, #requests - 1)
end
function request()
  i = i + 1
  return requests[(i % #requests) + 1]
end
function response(status, hdrs, body)
  if status ~= 200 or not string.find(body, accept, 1, true) then rejected = rejected + 1 end
end
function done(summary, latency, requests)
  local r = 0
  for _, t in ipairs(threads) do r = r + t:get("rejected") end
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), r, e.connect + e.read + e.write + e.timeout,
    math.floor(os.clock() * 1000)))
end
`;

/**
 * Runs wrk against `url` for `seconds` with `connections` keep-alive connections on one thread,
 * on the CPUs `cores` names when given (taskset).
 */
export async function wrkPost(options: {
  readonly url: string;
  readonly bodies: readonly string[];
  readonly accept: string;
  readonly seconds: number;
  readonly connections: number;
  readonly authorization?: string;
  /** A taskset CPU list (`1`, `0-1`); the process's own affinity when absent. */
  readonly cores?: string;
}): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    const bodiesFile = join(dir, 'bodies.jsonl');
    const scriptFile = join(dir, 'post.lua');
    writeFileSync(bodiesFile, `${options.bodies.join('\n')}\n`);
    writeFileSync(scriptFile, SCRIPT);
    const url = new URL(options.url);
    const wrk = [
      'wrk',
      '-t1',
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--timeout',
      '10s',
      '-s',
      scriptFile,
      `${url.origin}/`,
    ];
    const [command, ...args] = options.cores === undefined ? wrk : ['taskset', '-c', options.cores, ...wrk];
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        command as string,
        args,
        {
          env: {
            PATH: process.env.PATH ?? '',
            WRK_BODIES: bodiesFile,
            WRK_ACCEPT: options.accept,
            WRK_PATH: url.pathname + url.search,
            WRK_AUTHORIZATION: options.authorization ?? '',
          },
          maxBuffer: 1 << 20,
        },
        (error, out) => (error ? reject(error) : resolve(out)),
      ),
    );
    const line = stdout.split('\n').find((l) => l.startsWith('WRK '));
    if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
    const [requests, durationUs, p50Us, p99Us, rejected, socketErrors, clientCpuMs] = line
      .split(' ')
      .slice(1)
      .map(Number) as [number, number, number, number, number, number, number];
    return {
      rps: requests / (durationUs / 1e6),
      p50: p50Us / 1000,
      p99: p99Us / 1000,
      requests,
      rejected,
      socketErrors,
      clientCpuMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
