/**
 * The consent register, assembled (issue 11 items 1, 3–6, 8): notices, consent records with
 * receipts, pairwise identifiers, withdrawal, the citizen's export and erasure, the connector
 * check and the expiry job. The composition root calls `openConsent` with the ports it
 * implements (members, statement verification, the event outbox, the audit log) and the
 * connector-token middleware.
 */
import type Router from '@koa/router';
import type { DataSource } from 'typeorm';
import type { CredentialIssuer } from '../credentials/issue/issuer.js';
import type { StatusService } from '../credentials/status/index.js';
import type { LaneRoute } from '../http/lane/index.js';
import type { RulebookStore } from '../rulebook/index.js';
import { startConsentJobs } from './expiry.js';
import { consentKeys } from './pairwise.js';
import type { ConsentAudit, ConsentEvents, MemberDirectory, StatementVerifier } from './ports.js';
import { ConsentRegister } from './register.js';
import { type Authenticate, consentCheckRoute, consentRoutes } from './routes.js';

export interface ConsentOptions {
  readonly dataSource: DataSource;
  readonly rulebook: RulebookStore;
  readonly issuer: CredentialIssuer;
  readonly status: StatusService;
  /** The key-encryption secret (64 hex characters): the pairwise, citizen-index and receipt keys derive from it. */
  readonly secretHex: string;
  readonly serviceDid: string;
  /** PUBLIC_URL. */
  readonly publicUrl: string;
  /** Where citizens withdraw consent (the dashboard); default `${PUBLIC_URL}/consents`. */
  readonly withdrawalUrl?: string;
  readonly members: MemberDirectory;
  readonly verifyStatement: StatementVerifier;
  readonly events: ConsentEvents;
  readonly audit: ConsentAudit;
  /** The connector-token middleware factory (`authenticate(scope)`). */
  readonly authenticate: Authenticate;
  readonly now?: () => Date;
}

export interface Consent {
  readonly register: ConsentRegister;
  readonly routers: readonly Router[];
  /** Its routes the connector lane answers without koa (src/http/lane); the routers hold them too. */
  readonly laneRoutes: readonly LaneRoute[];
  /** Runs the expiry job and the retention purge every `intervalMs`; returns the stop. */
  startJobs(options: { intervalMs: number; onError: (error: unknown) => void }): () => void;
}

export function openConsent(options: ConsentOptions): Consent {
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const deps = {
    dataSource: options.dataSource,
    rulebook: options.rulebook,
    issuer: options.issuer,
    status: options.status,
    keys: consentKeys(options.secretHex),
    members: options.members,
    verifyStatement: options.verifyStatement,
    events: options.events,
    audit: options.audit,
    serviceDid: options.serviceDid,
    publicUrl,
    withdrawalUrl: options.withdrawalUrl ?? `${publicUrl}/consents`,
    now: options.now ?? (() => new Date()),
  };
  const register = new ConsentRegister(deps);
  const checkRoute = consentCheckRoute(register);
  return {
    register,
    routers: [consentRoutes(register, options.authenticate, checkRoute)],
    laneRoutes: [checkRoute],
    startJobs: ({ intervalMs, onError }) => startConsentJobs({ deps, intervalMs, onError }),
  };
}
