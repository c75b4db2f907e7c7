import type Koa from 'koa';
import type { DataSource } from 'typeorm';
import { AUDIT_ENTITIES, AuditLog, auditRoutes } from './audit/index.js';
import type { Config } from './config/index.js';
import { CREDENTIAL_ENTITIES } from './credentials/entities.js';
import { type Credentials, openCredentials } from './credentials/module.js';
import { serviceSigner } from './credentials/sign.js';
import { STATUS_ENTITIES } from './credentials/status/index.js';
import { createDataSource, databaseKind, migrate, pingDatabase } from './db/index.js';
import { GOVERNANCE_ENTITIES } from './governance/entities.js';
import { type Governance, openGovernance } from './governance/module.js';
import { createApp } from './http/index.js';
import { IDENTITY_ENTITIES, identityRoutes, resolveKeySecret, ServiceIdentity } from './identity/index.js';
import type { Logger } from './log/logger.js';
import { MEMBERSHIP_ENTITIES } from './membership/entities.js';
import { createMetrics, instrumentDatabase, type Metrics } from './metrics/index.js';
import { OID4VP_ENTITIES, openOid4vp } from './oid4vp/index.js';
import { OIDC_ENTITIES, type Oidc, openOidc } from './oidc/index.js';
import { openRulebook, RULEBOOK_ENTITIES, type RulebookCapability } from './rulebook/index.js';

/** Every entity of every capability, for the one data source. */
export const ENTITIES = [
  ...IDENTITY_ENTITIES,
  ...STATUS_ENTITIES,
  ...CREDENTIAL_ENTITIES,
  ...AUDIT_ENTITIES,
  ...RULEBOOK_ENTITIES,
  ...GOVERNANCE_ENTITIES,
  ...MEMBERSHIP_ENTITIES,
  ...OIDC_ENTITIES,
  ...OID4VP_ENTITIES,
];

export interface Service {
  readonly config: Config;
  readonly dataSource: DataSource;
  readonly identity: ServiceIdentity;
  readonly credentials: Credentials;
  /** The hash-chained audit log of governance events. */
  readonly audit: AuditLog;
  /** The rulebook: adopted versions (`rulebook.store.current()` is in force) and the file's status. */
  readonly rulebook: RulebookCapability;
  /** The board, motions and votes, applications, the member registry. */
  readonly governance: Governance;
  /** The OpenID Connect provider at `/oidc`: its clients and wallet-login accounts. */
  readonly oidc: Oidc;
  readonly app: Koa;
  /** This process's Prometheus instruments (served by the metrics listener when configured). */
  readonly metrics: Metrics;
  /** Readiness goes 503 from now on; requests still in flight are served. */
  beginShutdown(): void;
  /** Closes the database. */
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly now?: () => Date;
  /** Apply pending migrations (the default); `false` refuses to start on an outdated schema. */
  readonly migrate?: boolean;
  /** CLI commands other than `start` do not repeat the development-defaults warning. */
  readonly quiet?: boolean;
  /** The instruments to record into (default: new ones, with process metrics when METRICS_PORT is set). */
  readonly metrics?: Metrics;
}

/** Opens the database (running migrations) and returns the data source, closed again on failure. */
export async function openDatabase(
  config: Config,
  logger: Logger,
  runMigrations = true,
): Promise<DataSource> {
  const dataSource = createDataSource({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    entities: ENTITIES,
  });
  await dataSource.initialize();
  try {
    if (runMigrations) {
      const applied = await migrate(dataSource);
      if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    } else if (await dataSource.showMigrations()) {
      throw new Error('the database schema is outdated: run `dataspace-trust migrate` first');
    }
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/**
 * Assembles the service from its configuration: database, identity, HTTP app. The composition
 * root (src/main.ts) calls this; tests call it with their own Config and drive
 * `service.app.callback()`.
 */
export async function openService(
  config: Config,
  logger: Logger,
  options: OpenOptions = {},
): Promise<Service> {
  const secret = resolveKeySecret(config.keyEncryptionSecret, config.dataDir);
  const dataSource = await openDatabase(config, logger, options.migrate ?? true);
  const metrics = options.metrics ?? createMetrics({ processMetrics: config.metricsPort !== undefined });
  instrumentDatabase(dataSource, metrics);
  let identity: ServiceIdentity;
  try {
    identity = await ServiceIdentity.open({
      dataSource,
      publicUrl: config.publicUrl,
      secretHex: secret.secretHex,
      ...(options.now ? { now: options.now } : {}),
    });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  let governance: Governance | undefined;
  let credentials: Credentials;
  try {
    // Trust anchors and schemas are validated here: a bad file stops the start.
    credentials = openCredentials({
      config,
      dataSource,
      identity,
      logger,
      metrics,
      ...(options.now ? { now: options.now } : {}),
      // Admitted members are trusted issuers of the types the rulebook allows them.
      memberIssuers: async () => (governance ? governance.members.issuers() : []),
    });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  let rulebook: RulebookCapability;
  try {
    // The rulebook file is validated and reconciled with the adopted versions: a bad file stops the start.
    rulebook = await openRulebook({
      rulebookDir: config.rulebookDir,
      dataSource,
      logger,
      ...(options.now ? { now: options.now } : {}),
    });
  } catch (error) {
    await credentials.close();
    await dataSource.destroy();
    throw error;
  }
  const audit = new AuditLog({
    dataSource,
    signer: serviceSigner(identity),
    ...(options.now ? { now: options.now } : {}),
  });
  governance = openGovernance({
    dataSource,
    serviceDid: identity.did,
    credentials,
    rulebook,
    audit,
    ...(options.now ? { now: options.now } : {}),
  });
  let oidc: Oidc;
  try {
    oidc = await openOidc({
      dataSource,
      identity,
      publicUrl: config.publicUrl,
      secretHex: secret.secretHex,
      rulebook: (await rulebook.store.current()).rulebook,
      trustProxy: config.trustProxy,
      ...(options.now ? { now: options.now } : {}),
    });
  } catch (error) {
    await credentials.close();
    await dataSource.destroy();
    throw error;
  }
  const oid4vp = openOid4vp({
    publicUrl: config.publicUrl,
    dataSource,
    identity,
    credentials,
    rulebook,
    oidc,
    ...(options.now ? { now: options.now } : {}),
  });
  if (!options.quiet)
    warnAboutDevelopmentDefaults(config, logger, secret.source, secret.path, databaseKind(dataSource));

  let accepting = true;
  const app = createApp({
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    basePath: identity.location.basePath,
    metrics,
    readiness: { accepting: () => accepting, database: () => pingDatabase(dataSource) },
    routers: [
      identityRoutes(identity),
      ...credentials.routers,
      auditRoutes(audit),
      ...rulebook.routers,
      ...governance.routers,
      ...oid4vp.routers,
    ],
    cookieKeys: oidc.cookieKeys,
    mounts: [{ prefix: oidc.path, middleware: oidc.middleware }],
  });
  return {
    config,
    dataSource,
    identity,
    credentials,
    audit,
    rulebook,
    governance,
    oidc,
    app,
    metrics,
    beginShutdown: () => {
      accepting = false;
    },
    close: async () => {
      accepting = false;
      await credentials.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}

function warnAboutDevelopmentDefaults(
  config: Config,
  logger: Logger,
  secretSource: 'configured' | 'generated' | 'file',
  secretPath: string | undefined,
  kind: 'sqlite' | 'postgres',
): void {
  const defaults: string[] = [];
  if (secretSource !== 'configured') {
    defaults.push(
      secretSource === 'generated'
        ? `key-encryption secret generated into ${secretPath} (mode 0600): back it up, the keys are unreadable without it`
        : `key-encryption secret read from ${secretPath}, not from KEY_ENCRYPTION_SECRET`,
    );
  }
  if (kind === 'sqlite') defaults.push(`embedded SQLite database in ${config.dataDir}`);
  if (config.developmentMode) defaults.push(`loopback did:web (${config.publicUrl}): development mode`);
  if (defaults.length > 0) logger.warn({ developmentDefaults: defaults }, 'running on development defaults');
}
