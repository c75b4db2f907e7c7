import { resolve } from 'node:path';
import {
  BODY_LIMIT_BYTES,
  CONFIG_KEYS,
  CREDENTIAL_SCHEMAS_DIR,
  DATA_DIR,
  DATABASE_POOL_SIZE,
  DATABASE_URL,
  HOST,
  KEY_ENCRYPTION_SECRET,
  LOG_LEVEL,
  type LogLevel,
  METRICS_HOST,
  METRICS_PORT,
  METRICS_TOKEN,
  PORT,
  PUBLIC_URL,
  RULEBOOK_DIR,
  SHUTDOWN_TIMEOUT_MS,
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
  readonly keyEncryptionSecret: string | undefined;
  readonly trustAnchorsDir: string;
  readonly rulebookDir: string;
  readonly credentialSchemasDir: string;
  readonly logLevel: LogLevel;
  readonly bodyLimitBytes: number;
  readonly shutdownTimeoutMs: number;
  readonly trustProxy: boolean;
  /** Worker processes (`auto`: one per core); 1 is a single process. */
  readonly workers: number | 'auto';
  /** The metrics listener's port; undefined: no metrics endpoint. */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  /** Bearer token the metrics endpoint asks for, when set. */
  readonly metricsToken: string | undefined;
  /** PUBLIC_URL is on a loopback host: development relaxations (http did:web to loopback) apply. */
  readonly developmentMode: boolean;
}

export type Environment = Readonly<Record<string, string | undefined>>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Turns an environment into a Config, or throws the ConfigError of the first bad value.
 * Empty strings count as unset, so `PORT=` in a compose file means the default.
 */
export function loadConfig(env: Environment, cwd: string = process.cwd()): Config {
  const raw = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const port = PORT.parse(raw(PORT.name), {});
  const publicUrl = PUBLIC_URL.parse(raw(PUBLIC_URL.name), { port });
  const metricsPort = METRICS_PORT.parse(raw(METRICS_PORT.name), { port });
  const metricsHost = METRICS_HOST.parse(raw(METRICS_HOST.name), {});
  const config: Config = {
    port,
    host: HOST.parse(raw(HOST.name), {}),
    publicUrl,
    dataDir: resolve(cwd, DATA_DIR.parse(raw(DATA_DIR.name), {})),
    databaseUrl: DATABASE_URL.parse(raw(DATABASE_URL.name), {}),
    databasePoolSize: DATABASE_POOL_SIZE.parse(raw(DATABASE_POOL_SIZE.name), {}),
    keyEncryptionSecret: KEY_ENCRYPTION_SECRET.parse(raw(KEY_ENCRYPTION_SECRET.name), {}),
    trustAnchorsDir: resolve(cwd, TRUST_ANCHORS_DIR.parse(raw(TRUST_ANCHORS_DIR.name), {})),
    rulebookDir: resolve(cwd, RULEBOOK_DIR.parse(raw(RULEBOOK_DIR.name), {})),
    credentialSchemasDir: resolve(cwd, CREDENTIAL_SCHEMAS_DIR.parse(raw(CREDENTIAL_SCHEMAS_DIR.name), {})),
    logLevel: LOG_LEVEL.parse(raw(LOG_LEVEL.name), {}),
    bodyLimitBytes: BODY_LIMIT_BYTES.parse(raw(BODY_LIMIT_BYTES.name), {}),
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS.parse(raw(SHUTDOWN_TIMEOUT_MS.name), {}),
    trustProxy: TRUST_PROXY.parse(raw(TRUST_PROXY.name), {}),
    workers: WORKERS.parse(raw(WORKERS.name), {}),
    metricsPort,
    metricsHost,
    metricsToken: METRICS_TOKEN.parse(raw(METRICS_TOKEN.name), { metricsPort, metricsHost }),
    developmentMode: LOOPBACK_HOSTS.has(new URL(publicUrl).hostname),
  };
  return Object.freeze(config);
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
