/**
 * The service's Prometheus instruments, in one registry per process (never prom-client's
 * global registry). The composition root creates them and hands the ones a capability needs
 * through its options; a capability that is given none records nothing.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  /** Requests answered, per route template (never the raw path), method and status. */
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  /** Seconds from the first byte of the request to the response, per route template. */
  readonly httpDuration: Histogram<'method' | 'route'>;
  /** Answers with status ≥ 400, per route and stable error code (problem `code` or OAuth `error`). */
  readonly httpErrors: Counter<'method' | 'route' | 'status' | 'code'>;
  /** Verification results: `kind` credential|presentation, `verified` true|false. */
  readonly verifications: Counter<'kind' | 'verified'>;
  /** Each check of each verification: its result and code (`none` when it has no code). */
  readonly verificationChecks: Counter<'kind' | 'check' | 'result' | 'code'>;
  /** Status list credentials obtained: `source` own|remote, `outcome` ok|error. */
  readonly statusListFetches: Counter<'source' | 'outcome'>;
  /** did:web documents fetched over the network, `outcome` ok|error. */
  readonly didFetches: Counter<'outcome'>;
  /** Requests refused by a rate limit, per limiter name. */
  readonly rateLimitRefusals: Counter<'limiter'>;
  /** Database statements, seconds, per database kind and outcome (TypeORM's millisecond clock). */
  readonly dbQueryDuration: Histogram<'database' | 'outcome'>;
  /** PostgreSQL pool connections: `state` total|idle|waiting (clients waiting for one). */
  readonly dbPool: Gauge<'state'>;
  /** Registers how the pool gauge reads the pool at each scrape (the last one wins). */
  observePool(read: () => PoolState | undefined): void;
  /** Event deliveries attempted, by outcome: `delivered`, `retry` (failed, tried again), `failed` (gave up). */
  readonly eventDeliveries: Counter<'outcome'>;
  /**
   * The outbox backlog, read from the database at each scrape: `state` pending (not yet
   * delivered) and due (pending whose next attempt time has come). The same in every process:
   * a cluster's primary shows the largest, not the sum.
   */
  readonly eventBacklog: Gauge<'state'>;
  /** Registers how the backlog gauge reads the outbox at each scrape (the last one wins). */
  observeEventBacklog(read: () => Promise<EventBacklog | undefined>): void;
}

export interface EventBacklog {
  readonly pending: number;
  readonly due: number;
}

export interface PoolState {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC). Default true. */
  readonly processMetrics?: boolean;
}

const PREFIX = 'dataspace_trust_';

/** Creates the instruments in a new registry. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];
  let readPool: () => PoolState | undefined = () => undefined;
  let readBacklog: () => Promise<EventBacklog | undefined> = async () => undefined;
  return {
    registry,
    httpRequests: new Counter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests answered, per route template, method and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'HTTP request latency, per route template and method.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    httpErrors: new Counter({
      name: `${PREFIX}http_request_errors_total`,
      help: 'HTTP answers with status 400 or more, per route template and error code.',
      labelNames: ['method', 'route', 'status', 'code'],
      registers,
    }),
    verifications: new Counter({
      name: `${PREFIX}verifications_total`,
      help: 'Verifications answered, per kind and outcome.',
      labelNames: ['kind', 'verified'],
      registers,
    }),
    verificationChecks: new Counter({
      name: `${PREFIX}verification_checks_total`,
      help: 'Verification checks run, per check, result and code.',
      labelNames: ['kind', 'check', 'result', 'code'],
      registers,
    }),
    statusListFetches: new Counter({
      name: `${PREFIX}status_list_fetches_total`,
      help: 'Status list credentials obtained for the status check (own lists: no network).',
      labelNames: ['source', 'outcome'],
      registers,
    }),
    didFetches: new Counter({
      name: `${PREFIX}did_web_fetches_total`,
      help: 'did:web documents fetched over the network (cache misses).',
      labelNames: ['outcome'],
      registers,
    }),
    rateLimitRefusals: new Counter({
      name: `${PREFIX}rate_limit_refusals_total`,
      help: 'Requests refused by a rate limit, per limiter.',
      labelNames: ['limiter'],
      registers,
    }),
    dbQueryDuration: new Histogram({
      name: `${PREFIX}db_query_duration_seconds`,
      help: 'Database statement time (millisecond resolution), per database and outcome.',
      labelNames: ['database', 'outcome'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    dbPool: new Gauge({
      name: `${PREFIX}db_pool_connections`,
      help: 'PostgreSQL pool connections of this process: total, idle, and clients waiting for one.',
      labelNames: ['state'],
      registers,
      collect() {
        const state = readPool();
        if (!state) return;
        this.set({ state: 'total' }, state.total);
        this.set({ state: 'idle' }, state.idle);
        this.set({ state: 'waiting' }, state.waiting);
      },
    }),
    observePool(read) {
      readPool = read;
    },
    eventDeliveries: new Counter({
      name: `${PREFIX}event_deliveries_total`,
      help: 'Event deliveries attempted, by outcome: delivered, retry (failed, tried again later), failed (gave up).',
      labelNames: ['outcome'],
      registers,
    }),
    eventBacklog: new Gauge({
      name: `${PREFIX}event_outbox_backlog`,
      help: 'Event deliveries not yet delivered (pending), and those due now (due); read from the database.',
      labelNames: ['state'],
      registers,
      aggregator: 'max',
      async collect() {
        // A scrape during a database outage keeps the last values rather than failing.
        const backlog = await readBacklog().catch(() => undefined);
        if (!backlog) return;
        this.set({ state: 'pending' }, backlog.pending);
        this.set({ state: 'due' }, backlog.due);
      },
    }),
    observeEventBacklog(read) {
      readBacklog = read;
    },
  };
}
