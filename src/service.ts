import type Koa from 'koa';
import type { DataSource } from 'typeorm';
import {
  AGREEMENT_ENTITIES,
  AGREEMENT_SWEEP_TARGETS,
  type AgreementRegister,
  openAgreements,
} from './agreements/index.js';
import { AUDIT_ENTITIES, AuditLog, auditRoutes } from './audit/index.js';
import { applying } from './compose/application.js';
import { type Governance, openGovernance, rulebookRules } from './compose/governance.js';
import { boardWorkspace } from './compose/workspace.js';
import type { Config } from './config/index.js';
import {
  appRequestRefusal,
  CONSENT_ENTITIES,
  type ConsentRegister,
  consentKeys,
  openConsent,
  presentedIdentityOf,
} from './consent/index.js';
import { CREDENTIAL_ENTITIES } from './credentials/entities.js';
import { type Credentials, openCredentials } from './credentials/module.js';
import { loadVctRegistry } from './credentials/sd-jwt/index.js';
import { serviceSigner } from './credentials/sign.js';
import { STATUS_ENTITIES } from './credentials/status/index.js';
import {
  boundedProbe,
  createDataSource,
  DatabaseHealth,
  databaseKind,
  initializeWithRetries,
  markInUse,
  migrate,
  postgresClientBounds,
  type SweepTarget,
  startSweeper,
  sweepExpired,
  withStartupLock,
} from './db/index.js';
import { openDatabaseListener } from './db/listener.js';
import { EVENT_ENTITIES, EVENT_SWEEP_TARGETS, type Events, openEvents } from './events/index.js';
import { boardMemberSubject } from './governance/board.js';
import { GOVERNANCE_ENTITIES } from './governance/entities.js';
import { verifyStatement } from './governance/signed-statement.js';
import {
  connectorAuthenticator,
  connectorRoutes,
  createApp,
  type RateLimitRule,
  RateLimits,
  type RequireConnector,
  rateLimitMiddleware,
  routeKey,
} from './http/index.js';
import { openApiDocument, openApiRoutes } from './http/openapi/index.js';
import { IDENTITY_ENTITIES, identityRoutes, resolveKeySecret, ServiceIdentity } from './identity/index.js';
import type { Logger } from './log/logger.js';
import { MEMBERSHIP_ENTITIES } from './membership/entities.js';
import { MemberCache } from './membership/member-cache.js';
import { membershipSubject } from './membership/members.js';
import { createMetrics, instrumentDatabase, type Metrics } from './metrics/index.js';
import { OID4VCI_ENTITIES, OID4VCI_SWEEP_TARGETS, type Oid4vci, openOid4vci } from './oid4vci/index.js';
import {
  type DcqlQuery,
  OID4VP_ENTITIES,
  type Oid4vp,
  openOid4vp,
  PresentationRefused,
  REQUEST_PATH,
  RESPONSE_PATH,
} from './oid4vp/index.js';
import {
  CONNECTOR_SCOPE_NAMES,
  CONNECTOR_SCOPES,
  endLogins,
  OIDC_ENTITIES,
  type Oidc,
  openOidc,
  type RegistryPort,
} from './oidc/index.js';
import { consentPageRoutes } from './portal/consent-routes.js';
import {
  endPortalSessions,
  openPortal,
  PORTAL_ENTITIES,
  PORTAL_SWEEP_TARGETS,
  type Portal,
  PortalError,
} from './portal/index.js';
import { walletLoginRenderer } from './portal/wallet-login-page.js';
import { openRulebook, RULEBOOK_ENTITIES, type RulebookCapability } from './rulebook/index.js';
import {
  agreementEventsPort,
  connectorMembers,
  consentEventsPort,
  consentMembers,
  memberAgreementsPort,
  memberClientPort,
  memberEventsPort,
} from './service-ports.js';

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
  ...EVENT_ENTITIES,
  ...CONSENT_ENTITIES,
  ...AGREEMENT_ENTITIES,
  ...PORTAL_ENTITIES,
  ...OID4VCI_ENTITIES,
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
  /** The wallet login and the portal's signing requests (OpenID4VP with transaction_data). */
  readonly oid4vp: Oid4vp;
  /** The event outbox, members' webhook subscriptions, the delivery worker and the feed. */
  readonly events: Events;
  /**
   * The consent register: notices, citizens' consent records and receipts, withdrawal, export,
   * erasure and the connector check (src/consent/register.ts; docs/consent.md).
   */
  readonly consent: ConsentRegister;
  /** The register of data-sharing agreements: offers, agreements, the check (docs/agreements.md). */
  readonly agreements: AgreementRegister;
  /**
   * The connector-token middleware factory, wired once: every member API route takes
   * `requireConnector(scope)` (src/http/connector-token.ts).
   */
  readonly requireConnector: RequireConnector;
  /** The portal: the citizen's dashboard, its sessions and its login (src/portal; docs/portal.md). */
  readonly portal: Portal;
  /** The OpenID4VCI issuer: metadata, offers, token, nonce, credential, notification (docs/oid4vci.md). */
  readonly oid4vci: Oid4vci;
  readonly app: Koa;
  /** The rate limits on unauthenticated writes (counters in the database). */
  readonly rateLimits: RateLimits;
  /** Deletes expired challenges, wallet-login transactions and rate-limit counters once. */
  sweep(): Promise<Record<string, number> | undefined>;
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
  /**
   * Run the periodic sweep of expired rows (SWEEP_INTERVAL_SECONDS) and the event delivery
   * worker: `start` does.
   */
  readonly sweeper?: boolean;
  /** The instruments to record into (default: new ones, with process metrics when METRICS_PORT is set). */
  readonly metrics?: Metrics;
}

/** The tables whose expired rows the sweep deletes. */
export const SWEEP_TARGETS: readonly SweepTarget[] = [
  { table: 'membership_challenge', column: 'expires_at', format: 'iso' },
  { table: 'oid4vp_transaction', column: 'expires_at', format: 'iso' },
  { table: 'rate_limit', column: 'expire', format: 'epoch-ms' },
  ...EVENT_SWEEP_TARGETS,
  ...PORTAL_SWEEP_TARGETS,
  ...OID4VCI_SWEEP_TARGETS,
  ...AGREEMENT_SWEEP_TARGETS,
];

/**
 * The unauthenticated writes that are rate limited per client address (paths below the base
 * path). Applications are also limited per signing DID, inside membership.
 */
export function rateLimitRules(oidcPath: string): RateLimitRule[] {
  const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Matched against the lower-cased path (rateLimitMiddleware), so written in lower case.
  const oidc = escapeRegExp(routeKey(oidcPath));
  return [
    { method: 'GET', path: /^\/api\/v1\/membership\/challenge$/, bucket: 'challenge' },
    {
      method: 'POST',
      path: /^\/api\/v1\/membership\/applications(\/[^/]+\/credential(-offer)?)?$/,
      bucket: 'application',
    },
    { method: 'POST', path: /^\/api\/v1\/members\/[^/]+\/withdrawal$/, bucket: 'application' },
    // Notices published by a signed statement need no token; a connector's (with one) are not counted.
    {
      method: 'POST',
      path: /^\/api\/v1\/notices(\/[^/]+\/versions)?$/,
      bucket: 'application',
      exceptBearer: true,
    },
    // Offers, agreements' signatures and terminations likewise (a token there must be the signer's).
    {
      method: 'POST',
      path: /^\/api\/v1\/offers(\/[^/]+\/versions)?$/,
      bucket: 'application',
      exceptBearer: true,
    },
    {
      method: 'POST',
      path: /^\/api\/v1\/agreements\/[^/]+\/(signatures|termination)$/,
      bucket: 'application',
      exceptBearer: true,
    },
    { method: 'GET', path: /^\/api\/v1\/audit\/checkpoint$/, bucket: 'checkpoint' },
    // Starting an application writes a session and a signing request: counted as a wallet login.
    { method: 'GET', path: /^\/portal\/apply$/, bucket: 'wallet-login' },
    { method: 'POST', path: /^\/portal\/apply$/, bucket: 'wallet-login' },
    // The seat page writes a session (its form's CSRF token) and its form an offer.
    { method: 'GET', path: /^\/portal\/board\/seat$/, bucket: 'wallet-login' },
    { method: 'POST', path: /^\/portal\/board\/seat$/, bucket: 'wallet-login' },
    // Starting a portal login writes a session row: counted with the wallet logins it leads to.
    { method: 'GET', path: /^\/portal\/login$/, bucket: 'wallet-login' },
    // Redeeming a pre-authorized code (each wrong tx_code is also counted on its offer).
    { method: 'POST', path: /^\/oid4vci\/token$/, bucket: 'wallet-login', oauth: true },
    // A wallet's authorization request writes a row and opens a wallet login.
    { method: 'GET', path: /^\/oid4vci\/authorize$/, bucket: 'wallet-login', oauth: true },
    { method: 'POST', path: /^\/oid4vci\/par$/, bucket: 'wallet-login', oauth: true },
    { method: 'GET', path: new RegExp(`^${oidc}/interaction/[^/]+$`), bucket: 'wallet-login' },
    { method: 'GET', path: new RegExp(`^${oidc}/auth$`), bucket: 'wallet-login', oauth: true },
    { method: 'POST', path: new RegExp(`^${oidc}/auth$`), bucket: 'wallet-login', oauth: true },
    {
      method: 'GET',
      path: new RegExp(`^${escapeRegExp(REQUEST_PATH)}/[^/]+$`),
      bucket: 'wallet-login',
      oauth: true,
    },
    {
      method: 'POST',
      path: new RegExp(`^${escapeRegExp(RESPONSE_PATH)}$`),
      bucket: 'wallet-login',
      oauth: true,
    },
  ];
}

export interface OpenDatabaseOptions {
  /** Apply pending migrations (the default); `false` refuses to start on an outdated schema. */
  readonly migrate?: boolean;
  /**
   * Work that must run once across replicas starting together, after the migrations and under
   * the same database lock (the creation of the service identity).
   */
  readonly bootstrap?: (dataSource: DataSource) => Promise<void>;
  /** Told the names of the migrations this call applied (none when the schema was current). */
  readonly onMigrated?: (applied: readonly string[]) => void;
}

/**
 * Opens the database (retrying while it is not up yet, up to DATABASE_STARTUP_WAIT_MS), runs
 * the migrations and the bootstrap under the startup lock (any number of replicas or
 * `migrate` commands may start at once), and returns the data source, closed again on failure.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  options: OpenDatabaseOptions = {},
): Promise<DataSource> {
  const dataSource = createDataSource({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    entities: ENTITIES,
  });
  await initializeWithRetries(dataSource, {
    waitMs: config.databaseStartupWaitMs,
    onRetry: (attempt, delayMs, error) =>
      logger.warn({ attempt, retryInMs: delayMs, err: error }, 'database not reachable yet: retrying'),
  });
  try {
    await withStartupLock(
      {
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        postgres: postgresClientBounds({
          // The lock's own wait is bounded by its lock_timeout; a statement on it may wait as long.
          statementTimeoutMs: 0,
          connectTimeoutMs: config.databaseConnectTimeoutMs,
        }),
      },
      async () => {
        if (options.migrate ?? true) {
          const applied = await migrateUnbounded(config, dataSource);
          if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
          options.onMigrated?.(applied);
        } else if (await dataSource.showMigrations()) {
          throw new Error('the database schema is outdated: run `dataspace-trust migrate` first');
        }
        await options.bootstrap?.(dataSource);
      },
    );
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/**
 * Runs pending migrations. On PostgreSQL through a connection without the statement bound: a
 * migration over a large table may rightly take longer than any request should.
 */
async function migrateUnbounded(config: Config, dataSource: DataSource): Promise<string[]> {
  if (config.databaseUrl === undefined || !(await dataSource.showMigrations())) return migrate(dataSource);
  const migrator = createDataSource({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 2,
    statementTimeoutMs: 0,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    entities: ENTITIES,
  });
  await migrator.initialize();
  try {
    return await migrate(migrator);
  } finally {
    await migrator.destroy();
  }
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
  let opened: ServiceIdentity | undefined;
  const dataSource = await openDatabase(config, logger, {
    migrate: options.migrate ?? true,
    // Under the startup lock: two replicas starting on a database without identity make one.
    bootstrap: async (ds) => {
      opened = await ServiceIdentity.open({
        dataSource: ds,
        publicUrl: config.publicUrl,
        secretHex: secret.secretHex,
        ...(options.now ? { now: options.now } : {}),
      });
    },
  });
  const identity = opened as ServiceIdentity;
  const metrics = options.metrics ?? createMetrics({ processMetrics: config.metricsPort !== undefined });
  instrumentDatabase(dataSource, metrics);
  // PostgreSQL: one LISTEN connection per process for every channel (status changes, member
  // changes, new events), outside the pool.
  const connection =
    config.databaseUrl === undefined ? undefined : openDatabaseListener({ databaseUrl: config.databaseUrl });
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
      ...(connection ? { connection } : {}),
      ...(options.now ? { now: options.now } : {}),
      // Admitted members are trusted issuers of the types the rulebook allows them: looked up
      // by DID, or by page, in the member registry (never listed whole).
      members: {
        get: async (did) => (governance ? governance.members.issuer(did) : undefined),
        page: async (request) => (governance ? governance.members.issuerPage(request) : []),
        count: async (request) => (governance ? governance.members.issuerCount(request) : 0),
      },
    });
  } catch (error) {
    await connection?.close();
    await dataSource.destroy();
    throw error;
  }
  const audit = new AuditLog({
    dataSource,
    signer: serviceSigner(identity),
    document: () => identity.document(),
    ...(options.now ? { now: options.now } : {}),
  });
  let rulebook: RulebookCapability;
  try {
    // The rulebook file is validated and reconciled with the adopted versions: a bad file stops the start.
    rulebook = await openRulebook({
      rulebookDir: config.rulebookDir,
      dataSource,
      logger,
      ...(options.now ? { now: options.now } : {}),
      // The first adoption is the operator's act (its file, at first start): audited with it.
      recordFirstAdoption: async (adopted, manager) =>
        void (await audit.append(
          {
            kind: 'rulebook.adopted',
            actor: 'operator',
            subject: adopted.version,
            data: { version: adopted.version, hash: adopted.hash, first: true },
          },
          manager,
        )),
    });
  } catch (error) {
    await credentials.close();
    await connection?.close();
    await dataSource.destroy();
    throw error;
  }
  const rateLimits = RateLimits.open(dataSource, config.rateLimits, {
    onRefused: (limiter) => metrics.rateLimitRefusals.inc({ limiter }),
  });
  const events = openEvents({
    dataSource,
    signer: serviceSigner(identity),
    secretHex: secret.secretHex,
    settings: config.events,
    developmentMode: config.developmentMode,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(connection ? { connection } : {}),
    metrics,
    onError: (error) => logger.warn({ err: error }, 'event delivery round failed'),
    onListening: (listening, error) =>
      listening
        ? logger.info('new events: listening')
        : logger.warn({ err: error }, 'new events: listener lost, polling until it is back'),
    ...(options.now ? { now: options.now } : {}),
  });
  governance = openGovernance({
    dataSource,
    serviceDid: identity.did,
    credentials,
    rulebook,
    audit,
    // A suspension, revocation, withdrawal or board removal ends that DID's logins in its own transaction.
    logins: {
      end: async (did, manager) => (await endLogins(did, manager)) + (await endPortalSessions(did, manager)),
    },
    memberEvents: memberEventsPort(events, (did) => memberRows.forget(did)),
    memberAgreements: memberAgreementsPort(() => agreementRegister),
    developmentMode: config.developmentMode,
    es256LowSOnly: config.es256LowSOnly,
    limitApplicant: (did) => rateLimits.did(did),
    ...(options.now ? { now: options.now } : {}),
  });
  let agreementRegister: AgreementRegister | undefined;
  const registry = registryPort(governance);
  const membersOfGovernance = governance;
  const memberRows = new MemberCache({
    databaseUrl: config.databaseUrl,
    ...(connection ? { connection } : {}),
    load: (did) => membersOfGovernance.members.find(did),
    onState: (listening, error) =>
      listening
        ? logger.debug('member changes: listening')
        : logger.warn({ err: error }, 'member changes: listener lost, reading members until it is back'),
  });
  // The provider asks the consent register about members' apps' consent requests; the register
  // is opened after the provider (its routes need the provider's connector tokens).
  let consentRegister: ConsentRegister | undefined;
  const openedRegister = (): ConsentRegister => {
    if (!consentRegister) throw new Error('the consent register is not open yet');
    return consentRegister;
  };
  const pairwise = consentKeys(secret.secretHex);
  let oidc: Oidc;
  try {
    oidc = await openOidc({
      dataSource,
      identity,
      publicUrl: config.publicUrl,
      secretHex: secret.secretHex,
      rulebook: (await rulebook.store.current()).rulebook,
      trustProxy: config.trustProxy,
      registry,
      members: memberClientPort(memberRows, rulebookRules(rulebook)),
      resolver: credentials.resolver,
      audit,
      developmentMode: config.developmentMode,
      consentRequests: {
        refusal: (request) => appRequestRefusal(openedRegister(), consentMembers(memberRows), request),
      },
      citizenSubject: async (person, controller) => {
        const citizen = await openedRegister().citizenFromLogin(presentedIdentityOf(person));
        return pairwise.pairwiseId(controller, citizen.key);
      },
      ...(options.now ? { now: options.now } : {}),
    });
  } catch (error) {
    rateLimits.close();
    await memberRows.close();
    await events.close();
    await credentials.close();
    await connection?.close();
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
    renderLoginPage: walletLoginRenderer(config.publicUrl),
    memberName: async (did) => (await memberRows.find(did))?.legalName,
    ...(options.now ? { now: options.now } : {}),
  });
  // One middleware for every member API: the provider's tokens, checked locally, and the
  // member's status read on every request.
  const issuingGovernance = governance;
  const oid4vci = openOid4vci({
    dataSource,
    publicUrl: config.publicUrl,
    secretHex: secret.secretHex,
    issuer: credentials.issuer,
    membershipVct: loadVctRegistry(config.credentialSchemasDir, config.publicUrl).byType(
      'MembershipCredential',
    )?.vct,
    keys: credentials.deps.keys,
    usedNonces: credentials.nonces,
    members: {
      find: async (did) => {
        const row = await issuingGovernance.members.find(did);
        return row && { status: row.status, subject: membershipSubject(row), credentialId: row.credentialId };
      },
    },
    board: {
      find: async (did) => {
        const seat = await issuingGovernance.board.seat(did);
        return (
          seat && { status: seat.status, subject: boardMemberSubject(seat), credentialId: seat.credentialId }
        );
      },
    },
    admittedApplicant: (id, presentation) =>
      issuingGovernance.applications.admittedApplicant(id, presentation),
    audit,
    serviceDid: identity.did,
    requireDpop: config.oid4vciRequireDpop,
    requirePushedRequests: config.oid4vciRequirePar,
    // The authorization code grant proves membership with a wallet login that completes no
    // OpenID Connect interaction: a presentation request whose verified answer the issuer reads.
    walletLogin: {
      start: (query) => oid4vp.signing.request({ query: query as unknown as DcqlQuery, transactionData: [] }),
      // A refused answer is an answer: the page continues, and the wallet is sent access_denied
      // with the refusal's code (a fixed code of the verifier, never the wallet's text).
      status: async (state) => {
        const { status } = await oid4vp.signing.status(state);
        return status === 'refused' ? 'presented' : status;
      },
      take: async (state) => {
        try {
          return await oid4vp.signing.take(state);
        } catch (error) {
          if (error instanceof PresentationRefused) return { refused: error.code };
          throw error;
        }
      },
    },
    ...(options.now ? { now: options.now } : {}),
  });
  const connectors = connectorAuthenticator({
    verifier: oidc.accessTokens,
    members: connectorMembers(memberRows),
  });
  const requireConnector = connectors.require;
  const consent = openConsent({
    dataSource,
    rulebook: rulebook.store,
    issuer: credentials.issuer,
    status: credentials.status,
    secretHex: secret.secretHex,
    serviceDid: identity.did,
    publicUrl: config.publicUrl,
    members: consentMembers(memberRows),
    // Notices signed by their controller are verified as governance statements are.
    verifyStatement: (token) =>
      verifyStatement(token, {
        keys: credentials.deps.keys,
        audience: identity.did,
        now: options.now?.() ?? new Date(),
        es256LowSOnly: config.es256LowSOnly,
      }),
    events: consentEventsPort(events),
    audit,
    authenticate: requireConnector,
    ...(options.now ? { now: options.now } : {}),
  });
  consentRegister = consent.register;
  const agreements = openAgreements({
    dataSource,
    rulebook: rulebook.store,
    issuer: credentials.issuer,
    status: credentials.status,
    serviceDid: identity.did,
    publicUrl: config.publicUrl,
    members: consentMembers(memberRows),
    verifyStatement: (token) =>
      verifyStatement(token, {
        keys: credentials.deps.keys,
        audience: identity.did,
        now: options.now?.() ?? new Date(),
        es256LowSOnly: config.es256LowSOnly,
      }),
    spendJti: (manager, jti) =>
      credentials.nonces.consumeIn(
        manager,
        'agreement-statement',
        jti,
        new Date((options.now?.() ?? new Date()).getTime() + 1_200_000),
      ),
    events: agreementEventsPort(events),
    audit,
    requireConnector,
    limits: {
      maxOpenProposals: config.agreementMaxOpenProposals,
      maxOfferVersions: config.agreementMaxOfferVersions,
    },
    ...(options.now ? { now: options.now } : {}),
  });
  agreementRegister = agreements.register;
  const portal = openPortal({
    dataSource,
    publicUrl: config.publicUrl,
    developmentMode: config.developmentMode,
    secretHex: secret.secretHex,
    issuer: oidc.issuer,
    consent: consent.register,
    // The citizen of a portal login: the natural person the provider's account keeps (the
    // `citizen` scope), checked by the register against the rulebook in force.
    identify: async (claims) => {
      const account = await oidc.accounts.find(claims.sub);
      if (!account?.naturalPerson)
        throw new PortalError('not_a_citizen', 'the login did not identify a natural person');
      return consent.register.citizenFromLogin(presentedIdentityOf(account.naturalPerson));
    },
    workspace: boardWorkspace({ identity, oidc, oid4vp, governance, rulebook, audit }),
    apply: applying({
      applications: governance.applications,
      signing: oid4vp.signing,
      rulebook,
      // The status page's address is a bearer secret that can leak (history, a forwarded mail):
      // it offers only what a holder redeems with a proof by the applicant DID's own key
      // (jwt_vc_json). A dc+sd-jwt credential binds to any key the wallet proves, so it is
      // offered where DID control was shown: the authorization code grant (the wallet presents
      // its MembershipCredential), `credentials offer`, and the applicant's API route.
      presentOfferTo: (did) =>
        oid4vci.presentOfferTo(did, {
          configurations: oid4vci.configurations
            .filter((c) => c.type === 'MembershipCredential' && c.format === 'jwt_vc_json')
            .map((configuration) => configuration.id),
        }),
    }),
    // A seat's BoardMemberCredential: only a key of the seat holder's DID redeems a jwt_vc_json
    // offer, so the offer needs no transaction code (docs/portal.md).
    seat: {
      board: governance.board,
      offer: (did) =>
        oid4vci.presentOfferTo(did, { configurations: ['BoardMemberCredential_jwt_vc_json'], txCode: false }),
    },
    sessionIdleSeconds: config.portalSessionIdleSeconds,
    sessionMaxSeconds: config.portalSessionMaxSeconds,
    // The public pages read through each capability's own read methods.
    sources: {
      members: governance.members,
      trust: credentials.trust,
      rulebook: rulebook.store,
      motions: governance.engine,
      board: governance.board,
      audit,
    },
    ...(options.now ? { now: options.now } : {}),
  });
  // The portal is a relying party of the service's own provider: its client, kept up to date
  // with PUBLIC_URL at every start (idempotent; its secret is derived, never stored).
  await oidc.clients.ensureFirstParty({ ...portal.client, secret: portal.client.secret });
  if (!options.quiet)
    warnAboutDevelopmentDefaults(config, logger, secret.source, secret.path, databaseKind(dataSource));

  // `restore` refuses to replace an SQLite database while any process uses it.
  const releaseInUse = config.databaseUrl === undefined ? markInUse(config.dataDir) : () => {};
  let accepting = true;
  // Readiness and failing requests probe the database; while it is down the API answers 503 at once.
  const databaseHealth = new DatabaseHealth({
    probe: boundedProbe(
      () => (dataSource.isInitialized ? dataSource.query('SELECT 1') : Promise.reject(new Error('closed'))),
      // Readiness says 503 within two seconds of a stall, as it did before it probed through here.
      Math.min(config.databaseConnectTimeoutMs, 2_000),
    ),
    onChange: (down) =>
      down
        ? logger.warn('database down: requests that need it answer 503 until it answers a probe')
        : logger.info('database answers again'),
  });
  const didDocumentPath = identity.location.routePath;
  const app = createApp({
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    publicUrl: config.publicUrl,
    trustProxy: config.trustProxy,
    basePath: identity.location.basePath,
    metrics,
    readiness: { accepting: () => accepting, database: () => databaseHealth.check() },
    database: {
      isDown: () => databaseHealth.isDown(),
      reportUnavailable: () => databaseHealth.reportUnavailable(),
      // The DID document and the JSON-LD contexts are served from memory.
      servedWithout: (path) => path === didDocumentPath || path.startsWith('/contexts/'),
      deadlineMs: config.requestDatabaseDeadlineMs,
    },
    routers: [
      identityRoutes(identity),
      ...credentials.routers,
      auditRoutes(audit),
      ...rulebook.routers,
      ...governance.routers,
      ...oid4vp.routers,
      ...oid4vci.routers,
      connectorRoutes(requireConnector, CONNECTOR_SCOPE_NAMES),
      ...oidc.routers(requireConnector),
      events.routes(requireConnector),
      ...consent.routers,
      ...agreements.routers,
      consentPageRoutes({
        oidc,
        register: consent.register,
        members: consentMembers(memberRows),
        secretHex: secret.secretHex,
        withdrawalUrl: `${config.publicUrl}/consents`,
        publicOrigin: new URL(config.publicUrl).origin,
      }),
      ...portal.routers,
      openApiRoutes(
        openApiDocument({
          publicUrl: config.publicUrl,
          didDocumentPath: identity.location.routePath,
          tokenUrl: oidc.tokenEndpoint,
          connectorScopes: CONNECTOR_SCOPES,
        }),
      ),
    ],
    guards: [rateLimitMiddleware(rateLimits, rateLimitRules(oidc.path))],
    lane: {
      routes: [...credentials.laneRoutes, ...consent.laneRoutes, ...agreements.laneRoutes],
      gate: connectors.gate,
    },
    cookieKeys: oidc.cookieKeys,
    mounts: [{ prefix: oidc.path, middleware: oidc.middleware }],
  });
  const now = options.now ?? (() => new Date());
  const stopSweeper =
    options.sweeper && config.sweepIntervalSeconds > 0
      ? startSweeper({
          dataSource,
          targets: SWEEP_TARGETS,
          intervalMs: config.sweepIntervalSeconds * 1000,
          now,
          onError: (error) => logger.warn({ err: error }, 'sweep of expired rows failed'),
        })
      : () => {};
  if (options.sweeper) events.startWorker();
  const stopConsentJobs =
    options.sweeper && config.consentExpiryIntervalSeconds > 0
      ? consent.startJobs({
          intervalMs: config.consentExpiryIntervalSeconds * 1000,
          onError: (error) => logger.warn({ err: error }, 'consent expiry job failed'),
        })
      : () => {};
  const stopAgreementJobs =
    options.sweeper && config.agreementExpiryIntervalSeconds > 0
      ? agreements.startJobs({
          intervalMs: config.agreementExpiryIntervalSeconds * 1000,
          onError: (error) => logger.warn({ err: error }, 'agreement expiry job failed'),
        })
      : () => {};
  return {
    config,
    dataSource,
    rateLimits,
    sweep: () => sweepExpired(dataSource, SWEEP_TARGETS, now()),
    identity,
    credentials,
    audit,
    rulebook,
    governance,
    oidc,
    oid4vp,
    events,
    consent: consent.register,
    agreements: agreements.register,
    requireConnector,
    portal,
    oid4vci,
    app,
    metrics,
    beginShutdown: () => {
      accepting = false;
    },
    close: async () => {
      accepting = false;
      databaseHealth.close();
      stopSweeper();
      stopConsentJobs();
      stopAgreementJobs();
      rateLimits.close();
      try {
        // Its attempts in flight end by their deadline and are recorded before the database closes.
        await events.close();
        await memberRows.close();
        await credentials.close();
        await connection?.close();
        if (dataSource.isInitialized) await dataSource.destroy();
      } finally {
        releaseInUse();
      }
    },
  };
}

/** The member and board registry as the OpenID Connect provider reads it at every token. */
export function registryPort(governance: Governance): RegistryPort {
  return {
    async entry(credentialType, did) {
      if (credentialType === 'MembershipCredential') {
        const row = await governance.members.find(did);
        return row && { status: row.status, credentialSubject: membershipSubject(row) };
      }
      if (credentialType === 'BoardMemberCredential') {
        const seat = await governance.board.seat(did);
        return seat && { status: seat.status, credentialSubject: boardMemberSubject(seat) };
      }
      return undefined;
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
