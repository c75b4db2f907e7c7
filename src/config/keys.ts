/**
 * Every configuration key the service understands, with its default and a one-line
 * description. `docs/configuration.md` is generated from this table
 * (`npm run docs:config`), and a test fails when the two differ.
 */
import { ConfigError } from './errors.js';
import { EVENT_CONFIG_KEYS } from './event-keys.js';
import { boolean, integer } from './parse.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ConfigKey<T> {
  /** The environment variable. */
  readonly name: string;
  /** The default, as a human reads it in the docs. */
  readonly defaultText: string;
  /** One line for the docs. */
  readonly description: string;
  /** Never logged, never echoed in an error message. */
  readonly secret?: boolean;
  /** Turns the raw value (undefined when unset or empty) into the typed one, or throws ConfigError. */
  readonly parse: (raw: string | undefined, partial: Readonly<Record<string, unknown>>) => T;
}

function httpUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must use http or https, got "${url.protocol.replace(':', '')}"`);
  }
  if (url.username || url.password) throw new ConfigError(name, 'must not contain a user name or password');
  if (url.search || url.hash) throw new ConfigError(name, 'must not contain a query or a fragment');
  return url;
}

export const PORT: ConfigKey<number> = {
  name: 'PORT',
  defaultText: '3000',
  description: 'TCP port the HTTP server listens on.',
  parse: (raw) => integer('PORT', raw, 3000, 1, 65535),
};

export const HOST: ConfigKey<string> = {
  name: 'HOST',
  defaultText: '127.0.0.1 in development mode (PUBLIC_URL on loopback), else 0.0.0.0',
  description:
    'Address the HTTP server binds to. In development mode the service trusts the development PID provider, whose key is public: by default it then listens on loopback only.',
  parse: (raw, partial) => raw ?? (partial.developmentMode === true ? '127.0.0.1' : '0.0.0.0'),
};

export const PUBLIC_URL: ConfigKey<string> = {
  name: 'PUBLIC_URL',
  defaultText: 'http://localhost:$PORT',
  description:
    'The URL at which clients reach the service. The service DID is the did:web of this URL; a path gives the path form.',
  parse: (raw, partial) => {
    const url = httpUrl('PUBLIC_URL', raw ?? `http://localhost:${partial.port as number}`);
    // Canonical form without a trailing slash: the DID and every URL we derive depend on it.
    return url.href.replace(/\/+$/, '');
  },
};

export const DATA_DIR: ConfigKey<string> = {
  name: 'DATA_DIR',
  defaultText: './data',
  description:
    'Directory for the embedded SQLite database and generated secrets. Unset: `data` in the installation directory, wherever the command runs from; a relative value is relative to the working directory.',
  parse: (raw) => raw ?? './data',
};

export const DATABASE_URL: ConfigKey<string | undefined> = {
  name: 'DATABASE_URL',
  defaultText: '(unset: embedded SQLite in DATA_DIR)',
  description:
    'PostgreSQL connection URL (postgres:// or postgresql://). Unset means the embedded SQLite file.',
  secret: true,
  parse: (raw) => {
    if (raw === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL', 'must be a postgres:// or postgresql:// URL');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new ConfigError(
        'DATABASE_URL',
        `must be a postgres:// or postgresql:// URL, got scheme "${url.protocol.replace(':', '')}"`,
      );
    }
    if (!url.hostname && !url.searchParams.get('host'))
      throw new ConfigError('DATABASE_URL', 'names no host');
    return raw;
  },
};

export const DATABASE_POOL_SIZE: ConfigKey<number> = {
  name: 'DATABASE_POOL_SIZE',
  defaultText: '10',
  description: 'Maximum PostgreSQL connections per process.',
  parse: (raw) => integer('DATABASE_POOL_SIZE', raw, 10, 1, 200),
};

export const DATABASE_PASSWORD_FILE: ConfigKey<string | undefined> = {
  name: 'DATABASE_PASSWORD_FILE',
  defaultText: '(unset)',
  description:
    'A file holding the PostgreSQL password (e.g. a Docker secret), used with a DATABASE_URL that names no password.',
  parse: (raw) => raw,
};

export const DATABASE_STATEMENT_TIMEOUT_MS: ConfigKey<number> = {
  name: 'DATABASE_STATEMENT_TIMEOUT_MS',
  defaultText: '10000',
  description:
    'Longest a database statement may run (PostgreSQL statement_timeout, a client read timeout, SQLite busy timeout); then the request answers 503 database_unavailable.',
  parse: (raw) => integer('DATABASE_STATEMENT_TIMEOUT_MS', raw, 10_000, 100, 600_000),
};

export const DATABASE_CONNECT_TIMEOUT_MS: ConfigKey<number> = {
  name: 'DATABASE_CONNECT_TIMEOUT_MS',
  defaultText: '5000',
  description: 'Longest wait to connect to PostgreSQL or for a free pooled connection.',
  parse: (raw) => integer('DATABASE_CONNECT_TIMEOUT_MS', raw, 5_000, 100, 600_000),
};

export const REQUEST_DATABASE_DEADLINE_MS: ConfigKey<number> = {
  name: 'REQUEST_DATABASE_DEADLINE_MS',
  defaultText: '10000',
  description:
    "Longest all the database work of one HTTP request may take together (waiting for a pooled connection, every statement, SQLite's busy wait), counted from the request's arrival; then the request answers 503 database_unavailable and a write not yet committed is rolled back. Jobs, sweeps and migrations keep the statement and connect bounds only.",
  parse: (raw) => integer('REQUEST_DATABASE_DEADLINE_MS', raw, 10_000, 100, 600_000),
};

export const DATABASE_STARTUP_WAIT_MS: ConfigKey<number> = {
  name: 'DATABASE_STARTUP_WAIT_MS',
  defaultText: '60000',
  description:
    'At start, how long to keep retrying (backoff 0.25 s doubling to 5 s) while the database is not reachable yet; 0 tries once.',
  parse: (raw) => integer('DATABASE_STARTUP_WAIT_MS', raw, 60_000, 0, 3_600_000),
};

export const KEY_ENCRYPTION_SECRET: ConfigKey<string | undefined> = {
  name: 'KEY_ENCRYPTION_SECRET',
  defaultText: '(unset: generated into DATA_DIR/secrets/key-encryption.key)',
  description:
    'Secret that encrypts the service private keys at rest: 64 hex characters (`openssl rand -hex 32`).',
  secret: true,
  parse: (raw) => {
    if (raw === undefined) return undefined;
    if (!/^[0-9a-fA-F]{64}$/.test(raw)) {
      throw new ConfigError('KEY_ENCRYPTION_SECRET', 'must be 64 hexadecimal characters (32 bytes)');
    }
    return raw.toLowerCase();
  },
};

export const KEY_ENCRYPTION_SECRET_FILE: ConfigKey<string | undefined> = {
  name: 'KEY_ENCRYPTION_SECRET_FILE',
  defaultText: '(unset)',
  description:
    'A file holding KEY_ENCRYPTION_SECRET (e.g. a Docker secret at /run/secrets/…); set one of the two, not both.',
  parse: (raw) => raw,
};

export const TRUST_ANCHORS_DIR: ConfigKey<string> = {
  name: 'TRUST_ANCHORS_DIR',
  defaultText: './trust-anchors',
  description: 'Directory of trusted-issuer files (one JSON file per issuer).',
  parse: (raw) => raw ?? './trust-anchors',
};

export const FOUNDING_BOARD_FILE: ConfigKey<string | undefined> = {
  name: 'FOUNDING_BOARD_FILE',
  defaultText: '(unset)',
  description:
    'A JSON file listing the founding board ({"members":[{"did","name","affiliations"?}]}): `start` seats each one not yet seated, as `board add` would, until the board opens its first motion; afterwards the file is only reported on (seats change by motion).',
  parse: (raw) => raw,
};

export const RULEBOOK_DIR: ConfigKey<string> = {
  name: 'RULEBOOK_DIR',
  defaultText: './rulebook',
  description: 'Directory holding the machine-readable rulebook and its prose.',
  parse: (raw) => raw ?? './rulebook',
};

export const CREDENTIAL_SCHEMAS_DIR: ConfigKey<string> = {
  name: 'CREDENTIAL_SCHEMAS_DIR',
  defaultText: './credential-schemas',
  description: 'Directory of JSON Schemas, one per credential type and version.',
  parse: (raw) => raw ?? './credential-schemas',
};

export const LOG_LEVEL: ConfigKey<LogLevel> = {
  name: 'LOG_LEVEL',
  defaultText: 'info',
  description: `Log level: ${LOG_LEVELS.join(', ')}.`,
  parse: (raw) => {
    const value = raw ?? 'info';
    if (!(LOG_LEVELS as readonly string[]).includes(value)) {
      throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
    }
    return value as LogLevel;
  },
};

export const BODY_LIMIT_BYTES: ConfigKey<number> = {
  name: 'BODY_LIMIT_BYTES',
  defaultText: '262144',
  description: 'Largest request body accepted, in bytes; larger bodies get 413 before any parsing.',
  parse: (raw) => integer('BODY_LIMIT_BYTES', raw, 262_144, 1024, 16 * 1024 * 1024),
};

export const SHUTDOWN_TIMEOUT_MS: ConfigKey<number> = {
  name: 'SHUTDOWN_TIMEOUT_MS',
  defaultText: '10000',
  description:
    'On SIGTERM/SIGINT, how long in-flight requests may take to finish before connections are cut.',
  parse: (raw) => integer('SHUTDOWN_TIMEOUT_MS', raw, 10_000, 0, 600_000),
};

export const SHUTDOWN_DRAIN_MS: ConfigKey<number> = {
  name: 'SHUTDOWN_DRAIN_MS',
  defaultText: '5000',
  description:
    'On SIGTERM/SIGINT, how long readiness answers 503 while requests are still accepted (so a load balancer stops sending traffic) before the listener closes.',
  parse: (raw) => integer('SHUTDOWN_DRAIN_MS', raw, 5_000, 0, 600_000),
};

export const TRUST_PROXY: ConfigKey<boolean> = {
  name: 'TRUST_PROXY',
  defaultText: 'false',
  description:
    'Take the client address (request logs, rate limits by address) from the last entry of X-Forwarded-For, the one the proxy in front of the service appended; set it only behind exactly one such proxy. It changes no URL, no cookie flag and never the DID: those come from PUBLIC_URL, whatever Host or X-Forwarded-Proto/-Host say.',
  parse: (raw) => boolean('TRUST_PROXY', raw, false),
};

export const ES256_LOW_S_ONLY: ConfigKey<boolean> = {
  name: 'ES256_LOW_S_ONLY',
  defaultText: 'false',
  description:
    'Refuse ES256 signatures whose s lies in the upper half of the group (`non_canonical_signature`). Off: both encodings of a valid signature are accepted, as RFC 7518 §3.4 allows and as OpenSSL-based signers, did-jwt and Veramo produce them; replay protection keys on jti/nonce, never on the token string. The service itself always signs low-S.',
  parse: (raw) => boolean('ES256_LOW_S_ONLY', raw, false),
};

export const OID4VCI_REQUIRE_DPOP: ConfigKey<boolean> = {
  name: 'OID4VCI_REQUIRE_DPOP',
  defaultText: 'false',
  description:
    'Refuse OpenID4VCI token requests without a DPoP proof (`invalid_dpop_proof`), as the OpenID4VC High Assurance Interoperability Profile asks. Off: a token request with a DPoP proof (RFC 9449) gets a DPoP-bound token, one without a Bearer token.',
  parse: (raw) => boolean('OID4VCI_REQUIRE_DPOP', raw, false),
};

export const OID4VCI_REQUIRE_PAR: ConfigKey<boolean> = {
  name: 'OID4VCI_REQUIRE_PAR',
  defaultText: 'false',
  description:
    'Refuse OpenID4VCI authorization requests that were not pushed first to `/oid4vci/par` (RFC 9126; `require_pushed_authorization_requests` in the metadata). Off: both pushed and plain authorization requests are accepted.',
  parse: (raw) => boolean('OID4VCI_REQUIRE_PAR', raw, false),
};

export const RATE_LIMIT_WINDOW_SECONDS: ConfigKey<number> = {
  name: 'RATE_LIMIT_WINDOW_SECONDS',
  defaultText: '60',
  description:
    'Window of the per-address rate limits on unauthenticated writes (challenges, applications, wallet-login transactions, checkpoints).',
  parse: (raw) => integer('RATE_LIMIT_WINDOW_SECONDS', raw, 60, 1, 86_400),
};

export const RATE_LIMIT_PER_ADDRESS: ConfigKey<number> = {
  name: 'RATE_LIMIT_PER_ADDRESS',
  defaultText: '60',
  description:
    'Unauthenticated writes of one kind one client address may make per window; more get 429 with Retry-After. The address is the socket peer, or with TRUST_PROXY the address the proxy forwarded (IPv6: its /64).',
  parse: (raw) => integer('RATE_LIMIT_PER_ADDRESS', raw, 60, 1, 1_000_000),
};

export const RATE_LIMIT_DID_WINDOW_SECONDS: ConfigKey<number> = {
  name: 'RATE_LIMIT_DID_WINDOW_SECONDS',
  defaultText: '3600',
  description: 'Window of the per-DID rate limit on membership applications.',
  parse: (raw) => integer('RATE_LIMIT_DID_WINDOW_SECONDS', raw, 3600, 1, 604_800),
};

export const RATE_LIMIT_PER_DID: ConfigKey<number> = {
  name: 'RATE_LIMIT_PER_DID',
  defaultText: '10',
  description: 'Membership applications one DID may submit per DID window; more get 429 with Retry-After.',
  parse: (raw) => integer('RATE_LIMIT_PER_DID', raw, 10, 1, 1_000_000),
};

export const SWEEP_INTERVAL_SECONDS: ConfigKey<number> = {
  name: 'SWEEP_INTERVAL_SECONDS',
  defaultText: '300',
  description:
    'How often expired challenges, wallet-login transactions and rate-limit counters are deleted (one replica at a time); 0 turns the sweep off.',
  parse: (raw) => integer('SWEEP_INTERVAL_SECONDS', raw, 300, 0, 86_400),
};

export const CONSENT_EXPIRY_INTERVAL_SECONDS: ConfigKey<number> = {
  name: 'CONSENT_EXPIRY_INTERVAL_SECONDS',
  defaultText: '30',
  description:
    'How often due consents are recorded as expired (receipt revoked, consent.expired event) and ended consent records past the rulebook’s retention deleted, by any number of replicas at once; 0 turns the job off. The consent check answers `expired` at the expiry instant whatever this is.',
  parse: (raw) => integer('CONSENT_EXPIRY_INTERVAL_SECONDS', raw, 30, 0, 86_400),
};

export const AGREEMENT_EXPIRY_INTERVAL_SECONDS: ConfigKey<number> = {
  name: 'AGREEMENT_EXPIRY_INTERVAL_SECONDS',
  defaultText: '30',
  description:
    'How often data-sharing agreements past their end are recorded as expired (credentials revoked, agreement.expired event), by any number of replicas at once; 0 turns the job off. The agreement check answers `expired` at the end instant whatever this is.',
  parse: (raw) => integer('AGREEMENT_EXPIRY_INTERVAL_SECONDS', raw, 30, 0, 86_400),
};

export const AGREEMENT_MAX_OPEN_PROPOSALS: ConfigKey<number> = {
  name: 'AGREEMENT_MAX_OPEN_PROPOSALS',
  defaultText: '100',
  description:
    'How many proposed agreements (not yet signed by both parties) one member may have open; a further proposal is refused with `too_many_open_proposals` until it signs or terminates some.',
  parse: (raw) => integer('AGREEMENT_MAX_OPEN_PROPOSALS', raw, 100, 1, 100_000),
};

export const AGREEMENT_MAX_OFFER_VERSIONS: ConfigKey<number> = {
  name: 'AGREEMENT_MAX_OFFER_VERSIONS',
  defaultText: '1000',
  description:
    'How many offer versions one member may publish, all its offers together; a further offer or version is refused with `too_many_offer_versions`.',
  parse: (raw) => integer('AGREEMENT_MAX_OFFER_VERSIONS', raw, 1000, 1, 1_000_000),
};

export const PORTAL_SESSION_IDLE_SECONDS: ConfigKey<number> = {
  name: 'PORTAL_SESSION_IDLE_SECONDS',
  defaultText: '1800',
  description:
    'A portal session (the citizen’s dashboard) unused this long ends; the idle expiry is renewed while it is used, up to the absolute expiry.',
  parse: (raw) => integer('PORTAL_SESSION_IDLE_SECONDS', raw, 1800, 60, 86_400),
};

export const PORTAL_SESSION_MAX_SECONDS: ConfigKey<number> = {
  name: 'PORTAL_SESSION_MAX_SECONDS',
  defaultText: '28800',
  description: 'A portal session ends this long after its login, used or not (absolute expiry).',
  parse: (raw) => integer('PORTAL_SESSION_MAX_SECONDS', raw, 28_800, 60, 604_800),
};

export const WORKERS: ConfigKey<number | 'auto'> = {
  name: 'WORKERS',
  defaultText: '1',
  description:
    'Worker processes serving the one port (node:cluster); `auto` = one per CPU core. 1 runs a single process.',
  parse: (raw) => {
    if (raw === 'auto') return 'auto';
    return integer('WORKERS', raw, 1, 1, 256);
  },
};

export const METRICS_PORT: ConfigKey<number | undefined> = {
  name: 'METRICS_PORT',
  defaultText: '(unset: no metrics endpoint)',
  description:
    'Port of the Prometheus endpoint `GET /metrics`, a listener of its own (never the public port); 9464 is customary.',
  parse: (raw, partial) => {
    if (raw === undefined) return undefined;
    const port = integer('METRICS_PORT', raw, 0, 1, 65535);
    if (port === partial.port) throw new ConfigError('METRICS_PORT', 'must differ from PORT');
    return port;
  },
};

export const METRICS_HOST: ConfigKey<string> = {
  name: 'METRICS_HOST',
  defaultText: '127.0.0.1',
  description:
    'Address the metrics listener binds to (loopback by default: set it to reach it from another host).',
  parse: (raw) => raw ?? '127.0.0.1',
};

export const METRICS_TOKEN: ConfigKey<string | undefined> = {
  name: 'METRICS_TOKEN',
  defaultText: '(unset: no token asked)',
  description:
    'When set, scrapes must send `Authorization: Bearer <token>`; at least 16 characters. Required when METRICS_HOST is not loopback.',
  secret: true,
  parse: (raw, partial) => {
    if (raw === undefined) {
      const host = partial.metricsHost as string | undefined;
      if (partial.metricsPort !== undefined && host !== undefined && !LOOPBACK_ADDRESSES.has(host))
        throw new ConfigError('METRICS_TOKEN', 'is required when METRICS_HOST is not a loopback address');
      return undefined;
    }
    if (raw.length < 16 || /\s/.test(raw))
      throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters without spaces');
    return raw;
  },
};

const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', 'localhost']);

/** In dependency order: a key's parser may read the keys before it (PUBLIC_URL reads PORT). */
export const CONFIG_KEYS = [
  PORT,
  HOST,
  PUBLIC_URL,
  DATA_DIR,
  DATABASE_URL,
  DATABASE_POOL_SIZE,
  DATABASE_PASSWORD_FILE,
  DATABASE_STATEMENT_TIMEOUT_MS,
  DATABASE_CONNECT_TIMEOUT_MS,
  REQUEST_DATABASE_DEADLINE_MS,
  DATABASE_STARTUP_WAIT_MS,
  KEY_ENCRYPTION_SECRET,
  KEY_ENCRYPTION_SECRET_FILE,
  TRUST_ANCHORS_DIR,
  FOUNDING_BOARD_FILE,
  RULEBOOK_DIR,
  CREDENTIAL_SCHEMAS_DIR,
  LOG_LEVEL,
  BODY_LIMIT_BYTES,
  SHUTDOWN_TIMEOUT_MS,
  SHUTDOWN_DRAIN_MS,
  TRUST_PROXY,
  ES256_LOW_S_ONLY,
  OID4VCI_REQUIRE_DPOP,
  OID4VCI_REQUIRE_PAR,
  RATE_LIMIT_WINDOW_SECONDS,
  RATE_LIMIT_PER_ADDRESS,
  RATE_LIMIT_DID_WINDOW_SECONDS,
  RATE_LIMIT_PER_DID,
  SWEEP_INTERVAL_SECONDS,
  CONSENT_EXPIRY_INTERVAL_SECONDS,
  AGREEMENT_EXPIRY_INTERVAL_SECONDS,
  AGREEMENT_MAX_OPEN_PROPOSALS,
  AGREEMENT_MAX_OFFER_VERSIONS,
  PORTAL_SESSION_IDLE_SECONDS,
  PORTAL_SESSION_MAX_SECONDS,
  WORKERS,
  METRICS_PORT,
  METRICS_HOST,
  METRICS_TOKEN,
  ...EVENT_CONFIG_KEYS,
] as const satisfies readonly ConfigKey<unknown>[];
