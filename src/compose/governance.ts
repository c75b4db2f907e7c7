/**
 * Governance and membership, assembled over the rulebook, the audit log and the credentials
 * capability: the engine, the board, applications, the member registry and the member
 * lifecycle, with their routes. The composition root calls `openGovernance`.
 */
import type Router from '@koa/router';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditLog } from '../audit/index.js';
import type { Credentials } from '../credentials/module.js';
import { verifyPresentation } from '../credentials/verify/verify-presentation.js';
import { inTransaction } from '../db/index.js';
import { Board } from '../governance/board.js';
import { GovernanceEngine } from '../governance/engine.js';
import { GovernanceError } from '../governance/errors.js';
import type { AuditTrail, GovernanceRules, LoginSessions } from '../governance/ports.js';
import { governanceRoutes } from '../governance/routes.js';
import { verifyStatement } from '../governance/signed-statement.js';
import { Applications } from '../membership/applications.js';
import { Challenges } from '../membership/challenges.js';
import { MemberLifecycle } from '../membership/lifecycle.js';
import { MemberRegistry } from '../membership/members.js';
import type { MemberAgreements, MemberEvents, MembershipRules } from '../membership/ports.js';
import { membershipRoutes } from '../membership/routes.js';
import { type Rulebook, type RulebookCapability, tally } from '../rulebook/index.js';

export interface GovernanceOptions {
  readonly dataSource: DataSource;
  readonly serviceDid: string;
  readonly credentials: Credentials;
  readonly rulebook: RulebookCapability;
  readonly audit: AuditLog;
  /** Ends a DID's logins when its membership or board seat ends (the OpenID Connect provider's). */
  readonly logins: LoginSessions;
  /** Announces members' status changes to connectors (the event outbox), in their transaction. */
  readonly memberEvents?: MemberEvents;
  /** Members' data-sharing agreements follow their status changes, in their transaction. */
  readonly memberAgreements?: MemberAgreements;
  /** PUBLIC_URL is on loopback: a did:web of `localhost` may be seated on the board. */
  readonly developmentMode?: boolean;
  /** The per-DID rate limit on applications (see ApplicationsDeps.limitApplicant). */
  readonly limitApplicant?: (did: string) => Promise<void>;
  /** Refuse ES256 signed statements in high-S form (ES256_LOW_S_ONLY); default false: accept both. */
  readonly es256LowSOnly?: boolean;
  readonly now?: () => Date;
}

export interface Governance {
  readonly engine: GovernanceEngine;
  readonly board: Board;
  readonly applications: Applications;
  readonly members: MemberRegistry;
  readonly lifecycle: MemberLifecycle;
  readonly routers: readonly Router[];
}

/** The adopted rulebook as the engine and membership read it. */
export function rulebookRules(rulebook: RulebookCapability): GovernanceRules & MembershipRules {
  // An adopted version never changes: kept once read. The pointer to the current version is
  // re-read after a short while (an amendment adopted by another replica shows within 2 s).
  const versions = new Map<string, Rulebook>();
  let pointer: { version: string; at: number } | undefined;
  const byVersion = async (version: string): Promise<Rulebook> => {
    const known = versions.get(version);
    if (known) return known;
    const adopted = await rulebook.store.get(version);
    if (!adopted) throw new Error(`rulebook ${version} is not adopted`);
    versions.set(version, adopted.rulebook);
    return adopted.rulebook;
  };
  const currentVersion = async (): Promise<string> => {
    if (!pointer || Date.now() - pointer.at > 2_000) {
      const adopted = await rulebook.store.current();
      versions.set(adopted.version, adopted.rulebook);
      pointer = { version: adopted.version, at: Date.now() };
    }
    return pointer.version;
  };
  const current = async () => byVersion(await currentVersion());
  return {
    currentVersion,
    rule: async (version, kind) => (await byVersion(version)).rule(kind),
    tally: (rule, votes, context) => tally(rule, votes, context),
    allowsDidMethod: async (did, who) => (await current()).allowsDidMethod(did, who),
    async proposal(version) {
      const file = rulebook.file;
      if (file.version !== version || (await rulebook.store.get(version))) return undefined;
      return { version: file.version, hash: file.hash };
    },
    roles: async () => (await current()).roles.map((role) => role.id),
    sidesOf: async (roles, version) => (await byVersion(version)).sidesFor(roles),
    evidenceFor: async (roles) => (await current()).evidenceFor(roles),
    credentialValidityDays: async (version) => (await byVersion(version)).membership.credentialValidityDays,
    memberIssuableTypes: async (roles) => (await current()).memberIssuableTypes(roles),
    async issuingRoles() {
      const rulebook = await current();
      return rulebook.roles
        .map((role) => role.id)
        .filter((id) => rulebook.memberIssuableTypes([id]).length > 0);
    },
    async adoptProposal(version, hash, by, manager: EntityManager) {
      const file = rulebook.file;
      if (file.version !== version || file.hash !== hash) {
        throw new GovernanceError(
          409,
          'proposal_changed',
          'the rulebook file no longer holds the version the board voted on',
        );
      }
      await rulebook.store.adopt(file, { by, manager });
      versions.set(file.version, file);
      pointer = undefined;
    },
  };
}

export function openGovernance(options: GovernanceOptions): Governance {
  const { dataSource, serviceDid, credentials } = options;
  const now = options.now ?? (() => new Date());
  const rules = rulebookRules(options.rulebook);
  const audit: AuditTrail = {
    append: async (event, manager) => void (await options.audit.append(event, manager)),
    lockHead: (manager) => options.audit.lockHead(manager),
  };
  const board = new Board({
    dataSource,
    serviceDid,
    issuer: credentials.issuer,
    status: credentials.status,
    rules,
    audit,
    logins: options.logins,
    developmentMode: options.developmentMode ?? false,
    now,
  });
  const lifecycle = new MemberLifecycle({
    issuer: credentials.issuer,
    status: credentials.status,
    rules,
    board,
    audit,
    logins: options.logins,
    ...(options.memberEvents ? { events: options.memberEvents } : {}),
    ...(options.memberAgreements ? { agreements: options.memberAgreements } : {}),
    now,
  });
  const engine = new GovernanceEngine({
    dataSource,
    keys: credentials.deps.keys,
    nonces: credentials.nonces,
    serviceDid,
    rules,
    audit,
    effects: lifecycle,
    developmentMode: options.developmentMode ?? false,
    es256LowSOnly: options.es256LowSOnly === true,
    now,
  });
  const challenges = new Challenges(dataSource, now);
  const applicationDeps = { ...credentials.deps, selfIssuedTypes: ['MembershipApplicationCredential'] };
  const applications = new Applications({
    dataSource,
    serviceDid,
    challenges,
    verifyPresentation: (token, expected) => verifyPresentation(token, expected, applicationDeps),
    rules,
    engine,
    issuer: credentials.issuer,
    audit,
    now,
    ...(options.limitApplicant ? { limitApplicant: options.limitApplicant } : {}),
  });
  const members = new MemberRegistry(dataSource, rules);
  const withdraw = async (did: string, token: unknown) => {
    const statement = await verifyStatement(token, {
      keys: credentials.deps.keys,
      audience: serviceDid,
      now: now(),
      es256LowSOnly: options.es256LowSOnly === true,
    });
    if (statement.signer !== did)
      throw new GovernanceError(403, 'not_member_itself', 'a withdrawal is signed by the member itself');
    if (statement.payload.action !== 'withdraw')
      throw new GovernanceError(400, 'invalid_statement', 'action must be "withdraw"');
    await inTransaction(dataSource, undefined, async (manager) => {
      if (
        !(await credentials.nonces.consumeIn(
          manager,
          'governance-statement',
          statement.jti,
          new Date(now().getTime() + 1_200_000),
        ))
      ) {
        throw new GovernanceError(409, 'jti_reused', 'this statement (jti) was used before');
      }
      await lifecycle.withdraw(did, manager);
    });
  };
  return {
    engine,
    board,
    applications,
    members,
    lifecycle,
    routers: [
      governanceRoutes(engine, board),
      membershipRoutes({ serviceDid, challenges, applications, registry: members, withdraw }),
    ],
  };
}
