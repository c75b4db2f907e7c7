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
  PORT,
  PUBLIC_URL,
  RATE_LIMIT_DID_WINDOW_SECONDS,
  RATE_LIMIT_PER_ADDRESS,
  RATE_LIMIT_PER_DID,
  RATE_LIMIT_WINDOW_SECONDS,
  RULEBOOK_DIR,
  SHUTDOWN_TIMEOUT_MS,
  SWEEP_INTERVAL_SECONDS,
  TRUST_ANCHORS_DIR,
  TRUST_PROXY,
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
  /** Rate limits on unauthenticated writes (src/http/rate-limit.ts). */
  readonly rateLimits: {
    readonly windowSeconds: number;
    readonly perAddress: number;
    readonly didWindowSeconds: number;
    readonly perDid: number;
  };
  /** Seconds between sweeps of expired rows; 0: no sweep. */
  readonly sweepIntervalSeconds: number;
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
    rateLimits: Object.freeze({
      windowSeconds: RATE_LIMIT_WINDOW_SECONDS.parse(raw(RATE_LIMIT_WINDOW_SECONDS.name), {}),
      perAddress: RATE_LIMIT_PER_ADDRESS.parse(raw(RATE_LIMIT_PER_ADDRESS.name), {}),
      didWindowSeconds: RATE_LIMIT_DID_WINDOW_SECONDS.parse(raw(RATE_LIMIT_DID_WINDOW_SECONDS.name), {}),
      perDid: RATE_LIMIT_PER_DID.parse(raw(RATE_LIMIT_PER_DID.name), {}),
    }),
    sweepIntervalSeconds: SWEEP_INTERVAL_SECONDS.parse(raw(SWEEP_INTERVAL_SECONDS.name), {}),
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
