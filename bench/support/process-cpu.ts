/**
 * CPU time spent by processes during a measured round, read from /proc (Linux), so that a bench
 * can say where each request's CPU went: the service (its process and workers), the PostgreSQL server (all its
 * backends together) and the load generator (this process). On a machine with few cores the
 * three compete, and a throughput ratio alone cannot say which of them to make cheaper.
 *
 * `/proc/<pid>/stat` fields 14 and 15 are user and system time in clock ticks (100 per second
 * on Linux): with thousands of requests per round the 10 ms resolution is far below the total.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10;

/** User + system CPU milliseconds of one process, or 0 when it is gone. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** `pid` and every process below it (the service's worker processes when WORKERS > 1). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] as number) ?? []));
  return tree;
}

const treeCpuMs = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);

/** The pids whose command name is `name` (e.g. every PostgreSQL backend: `postgres`). */
function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** CPU milliseconds per party over one round. */
export interface CpuSplit {
  readonly service: number;
  readonly database: number;
  readonly client: number;
}

/**
 * Starts counting now; `stop()` returns the CPU each party used since. PostgreSQL backends that
 * start during the round count from zero, those that exit during it are lost (the benches keep
 * their pools open across the round, so neither happens in practice).
 */
export function cpuMeter(servicePid?: number): { stop(): CpuSplit } {
  const databaseAt = new Map(pidsNamed('postgres').map((pid) => [pid, processCpuMs(pid)]));
  // The service's process tree is fixed once it is ready (its workers are forked at start).
  const service = servicePid ? processTree(servicePid) : [];
  const serviceAt = treeCpuMs(service);
  const clientAt = process.cpuUsage();
  return {
    stop() {
      let database = 0;
      for (const pid of pidsNamed('postgres')) database += processCpuMs(pid) - (databaseAt.get(pid) ?? 0);
      const client = process.cpuUsage(clientAt);
      return {
        service: servicePid ? treeCpuMs(service) - serviceAt : 0,
        database,
        client: (client.user + client.system) / 1000,
      };
    },
  };
}

/** "service 212 µs, database 160 µs, client 48 µs per request". */
export function perRequest(split: CpuSplit, requests: number): string {
  const us = (ms: number) => `${Math.round((ms * 1000) / Math.max(1, requests))} µs`;
  const parts = [
    ...(split.service ? [`service ${us(split.service)}`] : []),
    `database ${us(split.database)}`,
    `client ${us(split.client)}`,
  ];
  return `CPU per request: ${parts.join(', ')}`;
}
