import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './errors.js';
import {
  EVENT_DELIVERY_BACKOFF_MAX_SECONDS,
  EVENT_DELIVERY_BACKOFF_MIN_SECONDS,
  EVENT_DELIVERY_RETENTION_HOURS,
  EVENT_DELIVERY_RETRY_HOURS,
  EVENT_DELIVERY_TIMEOUT_MS,
  EVENT_POLL_INTERVAL_MS,
  EVENT_SUBSCRIPTIONS_PER_MEMBER,
} from './event-keys.js';
import {
  AGREEMENT_EXPIRY_INTERVAL_SECONDS,
  AGREEMENT_MAX_OFFER_VERSIONS,
  AGREEMENT_MAX_OPEN_PROPOSALS,
  BODY_LIMIT_BYTES,
  CONFIG_KEYS,
  CONSENT_EXPIRY_INTERVAL_SECONDS,
  type ConfigKey,
  CREDENTIAL_SCHEMAS_DIR,
  DATA_DIR,
  DATABASE_CONNECT_TIMEOUT_MS,
  DATABASE_PASSWORD_FILE,
  DATABASE_POOL_SIZE,
  DATABASE_STARTUP_WAIT_MS,
  DATABASE_STATEMENT_TIMEOUT_MS,
  DATABASE_URL,
  ES256_LOW_S_ONLY,
  FOUNDING_BOARD_FILE,
  HOST,
  KEY_ENCRYPTION_SECRET,
  KEY_ENCRYPTION_SECRET_FILE,
  LOG_LEVEL,
  type LogLevel,
  METRICS_HOST,
  METRICS_PORT,
  METRICS_TOKEN,
  OID4VCI_REQUIRE_DPOP,
  OID4VCI_REQUIRE_PAR,
  PORT,
  PORTAL_SESSION_IDLE_SECONDS,
  PORTAL_SESSION_MAX_SECONDS,
  PUBLIC_URL,
  RATE_LIMIT_DID_WINDOW_SECONDS,
  RATE_LIMIT_PER_ADDRESS,
  RATE_LIMIT_PER_DID,
  RATE_LIMIT_WINDOW_SECONDS,
  REQUEST_DATABASE_DEADLINE_MS,
  RULEBOOK_DIR,
  SHUTDOWN_DRAIN_MS,
  SHUTDOWN_TIMEOUT_MS,
  SWEEP_INTERVAL_SECONDS,
  TRUST_ANCHORS_DIR,
  TRUST_PROXY,
  WORKERS,
} from './keys.js';

/** The validated, frozen configuration. Nothing outside `src/main.ts` reads the environment. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** Canonical, no trailing slash. */
  readonly publicUrl: string;
  /** Absolute. */
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly databaseStatementTimeoutMs: number;
  readonly databaseConnectTimeoutMs: number;
  /** REQUEST_DATABASE_DEADLINE_MS: the bound of all the database work of one HTTP request. */
  readonly requestDatabaseDeadlineMs: number;
  readonly databaseStartupWaitMs: number;
  /** From KEY_ENCRYPTION_SECRET, or read from KEY_ENCRYPTION_SECRET_FILE. */
  readonly keyEncryptionSecret: string | undefined;
  /** Absolute; set when the secret was read from a file. */
  readonly keyEncryptionSecretFile: string | undefined;
  readonly trustAnchorsDir: string;
  /** The founding board to seat at start (FOUNDING_BOARD_FILE), resolved; undefined: none. */
  readonly foundingBoardFile: string | undefined;
  readonly rulebookDir: string;
  readonly credentialSchemasDir: string;
  readonly logLevel: LogLevel;
  readonly bodyLimitBytes: number;
  readonly shutdownTimeoutMs: number;
  readonly shutdownDrainMs: number;
  readonly trustProxy: boolean;
  /** Refuse ES256 signatures in high-S form (ES256_LOW_S_ONLY); false: accept both encodings. */
  readonly es256LowSOnly: boolean;
  /** Refuse OpenID4VCI token requests without a DPoP proof (OID4VCI_REQUIRE_DPOP). */
  readonly oid4vciRequireDpop: boolean;
  /** Refuse OpenID4VCI authorization requests that were not pushed (OID4VCI_REQUIRE_PAR). */
  readonly oid4vciRequirePar: boolean;
  /** Rate limits on unauthenticated writes (src/http/rate-limit.ts). */
  readonly rateLimits: {
    readonly windowSeconds: number;
    readonly perAddress: number;
    readonly didWindowSeconds: number;
    readonly perDid: number;
  };
  /** Seconds between sweeps of expired rows; 0: no sweep. */
  readonly sweepIntervalSeconds: number;
  /** How often the consent expiry job runs (0: never). */
  readonly consentExpiryIntervalSeconds: number;
  /** How often the agreement expiry job runs (0: never). */
  readonly agreementExpiryIntervalSeconds: number;
  /** Bounds per member: open proposals, offer versions (docs/agreements.md "Limits"). */
  readonly agreementMaxOpenProposals: number;
  readonly agreementMaxOfferVersions: number;
  /** Portal sessions: idle and absolute expiry, in seconds. */
  readonly portalSessionIdleSeconds: number;
  readonly portalSessionMaxSeconds: number;
  /** Worker processes (`auto`: one per core); 1 is a single process. */
  readonly workers: number | 'auto';
  /** The metrics listener's port; undefined: no metrics endpoint. */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  /** Bearer token the metrics endpoint asks for, when set. */
  readonly metricsToken: string | undefined;
  /** PUBLIC_URL is on a loopback host: development relaxations (http did:web to loopback) apply. */
  readonly developmentMode: boolean;
  /** The event outbox, webhook delivery and feed (src/config/event-keys.ts). */
  readonly events: EventSettings;
}

export interface EventSettings {
  readonly pollIntervalMs: number;
  readonly deliveryTimeoutMs: number;
  readonly retryHours: number;
  readonly backoffMinSeconds: number;
  readonly backoffMaxSeconds: number;
  readonly retentionHours: number;
  readonly subscriptionsPerMember: number;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Turns an environment into a Config, or throws the ConfigError of the first bad value.
 * Empty strings count as unset, so `PORT=` in a compose file means the default.
 *
 * Directories: a value given relative is relative to `cwd` (as any path typed in a shell); an
 * unset directory defaults to its folder in `installDir`, the package's own directory (the
 * composition root passes it), so the CLI run from another directory finds the same
 * database, secret, rulebook and anchors as the service. Both are logged as absolute paths.
 */
export function loadConfig(env: Environment, cwd: string = process.cwd(), installDir: string = cwd): Config {
  const raw = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const directory = (key: ConfigKey<string>) => {
    const value = raw(key.name);
    return value === undefined ? resolve(installDir, key.parse(undefined, {})) : resolve(cwd, value);
  };
  const port = PORT.parse(raw(PORT.name), {});
  const publicUrl = PUBLIC_URL.parse(raw(PUBLIC_URL.name), { port });
  const metricsPort = METRICS_PORT.parse(raw(METRICS_PORT.name), { port });
  const metricsHost = METRICS_HOST.parse(raw(METRICS_HOST.name), {});
  const secret = keyEncryptionSecret(raw, cwd);
  const config: Config = {
    port,
    host: HOST.parse(raw(HOST.name), { developmentMode: LOOPBACK_HOSTS.has(new URL(publicUrl).hostname) }),
    publicUrl,
    dataDir: directory(DATA_DIR),
    databaseUrl: databaseUrl(raw, cwd),
    databasePoolSize: DATABASE_POOL_SIZE.parse(raw(DATABASE_POOL_SIZE.name), {}),
    databaseStatementTimeoutMs: DATABASE_STATEMENT_TIMEOUT_MS.parse(
      raw(DATABASE_STATEMENT_TIMEOUT_MS.name),
      {},
    ),
    databaseConnectTimeoutMs: DATABASE_CONNECT_TIMEOUT_MS.parse(raw(DATABASE_CONNECT_TIMEOUT_MS.name), {}),
    requestDatabaseDeadlineMs: REQUEST_DATABASE_DEADLINE_MS.parse(raw(REQUEST_DATABASE_DEADLINE_MS.name), {}),
    databaseStartupWaitMs: DATABASE_STARTUP_WAIT_MS.parse(raw(DATABASE_STARTUP_WAIT_MS.name), {}),
    keyEncryptionSecret: secret.value,
    keyEncryptionSecretFile: secret.file,
    trustAnchorsDir: directory(TRUST_ANCHORS_DIR),
    foundingBoardFile: ((file) => (file === undefined ? undefined : resolve(cwd, file)))(
      FOUNDING_BOARD_FILE.parse(raw(FOUNDING_BOARD_FILE.name), {}),
    ),
    rulebookDir: directory(RULEBOOK_DIR),
    credentialSchemasDir: directory(CREDENTIAL_SCHEMAS_DIR),
    logLevel: LOG_LEVEL.parse(raw(LOG_LEVEL.name), {}),
    bodyLimitBytes: BODY_LIMIT_BYTES.parse(raw(BODY_LIMIT_BYTES.name), {}),
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS.parse(raw(SHUTDOWN_TIMEOUT_MS.name), {}),
    shutdownDrainMs: SHUTDOWN_DRAIN_MS.parse(raw(SHUTDOWN_DRAIN_MS.name), {}),
    trustProxy: TRUST_PROXY.parse(raw(TRUST_PROXY.name), {}),
    es256LowSOnly: ES256_LOW_S_ONLY.parse(raw(ES256_LOW_S_ONLY.name), {}),
    oid4vciRequireDpop: OID4VCI_REQUIRE_DPOP.parse(raw(OID4VCI_REQUIRE_DPOP.name), {}),
    oid4vciRequirePar: OID4VCI_REQUIRE_PAR.parse(raw(OID4VCI_REQUIRE_PAR.name), {}),
    rateLimits: Object.freeze({
      windowSeconds: RATE_LIMIT_WINDOW_SECONDS.parse(raw(RATE_LIMIT_WINDOW_SECONDS.name), {}),
      perAddress: RATE_LIMIT_PER_ADDRESS.parse(raw(RATE_LIMIT_PER_ADDRESS.name), {}),
      didWindowSeconds: RATE_LIMIT_DID_WINDOW_SECONDS.parse(raw(RATE_LIMIT_DID_WINDOW_SECONDS.name), {}),
      perDid: RATE_LIMIT_PER_DID.parse(raw(RATE_LIMIT_PER_DID.name), {}),
    }),
    sweepIntervalSeconds: SWEEP_INTERVAL_SECONDS.parse(raw(SWEEP_INTERVAL_SECONDS.name), {}),
    consentExpiryIntervalSeconds: CONSENT_EXPIRY_INTERVAL_SECONDS.parse(
      raw(CONSENT_EXPIRY_INTERVAL_SECONDS.name),
      {},
    ),
    agreementExpiryIntervalSeconds: AGREEMENT_EXPIRY_INTERVAL_SECONDS.parse(
      raw(AGREEMENT_EXPIRY_INTERVAL_SECONDS.name),
      {},
    ),
    agreementMaxOpenProposals: AGREEMENT_MAX_OPEN_PROPOSALS.parse(raw(AGREEMENT_MAX_OPEN_PROPOSALS.name), {}),
    agreementMaxOfferVersions: AGREEMENT_MAX_OFFER_VERSIONS.parse(raw(AGREEMENT_MAX_OFFER_VERSIONS.name), {}),
    portalSessionIdleSeconds: PORTAL_SESSION_IDLE_SECONDS.parse(raw(PORTAL_SESSION_IDLE_SECONDS.name), {}),
    portalSessionMaxSeconds: PORTAL_SESSION_MAX_SECONDS.parse(raw(PORTAL_SESSION_MAX_SECONDS.name), {}),
    workers: WORKERS.parse(raw(WORKERS.name), {}),
    metricsPort,
    metricsHost,
    metricsToken: METRICS_TOKEN.parse(raw(METRICS_TOKEN.name), { metricsPort, metricsHost }),
    developmentMode: LOOPBACK_HOSTS.has(new URL(publicUrl).hostname),
    events: eventSettings(raw),
  };
  return Object.freeze(config);
}

type Raw = (name: string) => string | undefined;

function eventSettings(raw: Raw): EventSettings {
  const backoffMinSeconds = EVENT_DELIVERY_BACKOFF_MIN_SECONDS.parse(
    raw(EVENT_DELIVERY_BACKOFF_MIN_SECONDS.name),
    {},
  );
  return Object.freeze({
    pollIntervalMs: EVENT_POLL_INTERVAL_MS.parse(raw(EVENT_POLL_INTERVAL_MS.name), {}),
    deliveryTimeoutMs: EVENT_DELIVERY_TIMEOUT_MS.parse(raw(EVENT_DELIVERY_TIMEOUT_MS.name), {}),
    retryHours: EVENT_DELIVERY_RETRY_HOURS.parse(raw(EVENT_DELIVERY_RETRY_HOURS.name), {}),
    backoffMinSeconds,
    backoffMaxSeconds: EVENT_DELIVERY_BACKOFF_MAX_SECONDS.parse(
      raw(EVENT_DELIVERY_BACKOFF_MAX_SECONDS.name),
      {
        eventDeliveryBackoffMinSeconds: backoffMinSeconds,
      },
    ),
    retentionHours: EVENT_DELIVERY_RETENTION_HOURS.parse(raw(EVENT_DELIVERY_RETENTION_HOURS.name), {}),
    subscriptionsPerMember: EVENT_SUBSCRIPTIONS_PER_MEMBER.parse(
      raw(EVENT_SUBSCRIPTIONS_PER_MEMBER.name),
      {},
    ),
  });
}

/** Reads a secret file: its content without surrounding white space. The content is never echoed. */
function readSecretFile(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(
      name,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${path}`,
    );
  }
}

function keyEncryptionSecret(raw: Raw, cwd: string): { value: string | undefined; file: string | undefined } {
  const direct = raw(KEY_ENCRYPTION_SECRET.name);
  const fileName = KEY_ENCRYPTION_SECRET_FILE.parse(raw(KEY_ENCRYPTION_SECRET_FILE.name), {});
  if (fileName === undefined) return { value: KEY_ENCRYPTION_SECRET.parse(direct, {}), file: undefined };
  if (direct !== undefined) {
    throw new ConfigError(KEY_ENCRYPTION_SECRET_FILE.name, 'and KEY_ENCRYPTION_SECRET are both set: set one');
  }
  const file = resolve(cwd, fileName);
  const content = readSecretFile(KEY_ENCRYPTION_SECRET_FILE.name, file);
  if (!/^[0-9a-fA-F]{64}$/.test(content)) {
    throw new ConfigError(
      KEY_ENCRYPTION_SECRET_FILE.name,
      `${file} must hold 64 hexadecimal characters (32 bytes)`,
    );
  }
  return { value: content.toLowerCase(), file };
}

function databaseUrl(raw: Raw, cwd: string): string | undefined {
  const url = DATABASE_URL.parse(raw(DATABASE_URL.name), {});
  const fileName = DATABASE_PASSWORD_FILE.parse(raw(DATABASE_PASSWORD_FILE.name), {});
  if (fileName === undefined) return url;
  if (url === undefined) throw new ConfigError(DATABASE_PASSWORD_FILE.name, 'is set but DATABASE_URL is not');
  const parsed = new URL(url);
  if (parsed.password) {
    throw new ConfigError(
      DATABASE_PASSWORD_FILE.name,
      'is set but DATABASE_URL holds a password too: set one',
    );
  }
  const password = readSecretFile(DATABASE_PASSWORD_FILE.name, resolve(cwd, fileName));
  if (password === '') throw new ConfigError(DATABASE_PASSWORD_FILE.name, 'names an empty file');
  if (!parsed.username)
    throw new ConfigError(DATABASE_PASSWORD_FILE.name, 'needs a user name in DATABASE_URL');
  parsed.password = encodeURIComponent(password);
  return parsed.href;
}

/** The configuration as it may be logged: secrets replaced by a marker saying whether they are set. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: config.databaseUrl === undefined ? undefined : redactUrl(config.databaseUrl),
    keyEncryptionSecret: config.keyEncryptionSecret === undefined ? undefined : '[set]',
    metricsToken: config.metricsToken === undefined ? undefined : '[set]',
  };
}

function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) {
      if (/pass|secret|key/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.href;
  } catch {
    return '[set]';
  }
}

/** Names of every key, for checks that a deployment file sets only real keys. */
export const CONFIG_KEY_NAMES: readonly string[] = CONFIG_KEYS.map((key) => key.name);
