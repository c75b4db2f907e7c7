/**
 * The agreement register, assembled (issue 13): offers, agreements signed by both parties,
 * their lifecycle bound to membership, DataSharingAgreementCredentials, the connector check and
 * the expiry job. The composition root calls `openAgreements` with the ports it implements.
 */
import type Router from '@koa/router';
import type { DataSource } from 'typeorm';
import type { CredentialIssuer } from '../credentials/issue/issuer.js';
import type { StatusService } from '../credentials/status/index.js';
import type { RequireConnector } from '../http/index.js';
import type { LaneRoute } from '../http/lane/index.js';
import type { RulebookStore } from '../rulebook/index.js';
import { startAgreementJobs } from './expiry.js';
import { type AgreementLimits, DEFAULT_AGREEMENT_LIMITS } from './limits.js';
import type {
  AgreementAudit,
  AgreementEvents,
  MemberDirectory,
  SpendJti,
  StatementVerifier,
} from './ports.js';
import { AgreementRegister } from './register.js';
import { agreementCheckRoute, agreementRoutes } from './routes.js';

export interface AgreementsOptions {
  readonly dataSource: DataSource;
  readonly rulebook: RulebookStore;
  readonly issuer: CredentialIssuer;
  readonly status: StatusService;
  readonly serviceDid: string;
  /** PUBLIC_URL. */
  readonly publicUrl: string;
  readonly members: MemberDirectory;
  readonly verifyStatement: StatementVerifier;
  readonly spendJti: SpendJti;
  readonly events: AgreementEvents;
  readonly audit: AgreementAudit;
  readonly requireConnector: RequireConnector;
  readonly now?: () => Date;
  /** Bounds on open proposals and offer versions per member (default DEFAULT_AGREEMENT_LIMITS). */
  readonly limits?: Partial<AgreementLimits>;
}

export interface Agreements {
  readonly register: AgreementRegister;
  readonly routers: readonly Router[];
  /** Its routes the connector lane answers without koa (src/http/lane); the routers hold them too. */
  readonly laneRoutes: readonly LaneRoute[];
  /** Runs the expiry job every `intervalMs`; returns the stop. */
  startJobs(options: { intervalMs: number; onError: (error: unknown) => void }): () => void;
}

export function openAgreements(options: AgreementsOptions): Agreements {
  const deps = {
    dataSource: options.dataSource,
    rulebook: options.rulebook,
    issuer: options.issuer,
    status: options.status,
    members: options.members,
    verifyStatement: options.verifyStatement,
    spendJti: options.spendJti,
    events: options.events,
    audit: options.audit,
    serviceDid: options.serviceDid,
    publicUrl: options.publicUrl.replace(/\/+$/, ''),
    now: options.now ?? (() => new Date()),
    limits: { ...DEFAULT_AGREEMENT_LIMITS, ...options.limits },
  };
  const register = new AgreementRegister(deps);
  const checkRoute = agreementCheckRoute(register);
  return {
    register,
    routers: [agreementRoutes(register, options.requireConnector, checkRoute)],
    laneRoutes: [checkRoute],
    startJobs: ({ intervalMs, onError }) => startAgreementJobs({ deps, intervalMs, onError }),
  };
}
