/**
 * What the agreement register's services share: the database, the service's own capabilities
 * it builds on (rulebook, credentials' issuer and status lists) and the ports the composition
 * root implements (members, statements, jti, events, audit).
 */
import type { DataSource } from 'typeorm';
import type { CredentialIssuer } from '../credentials/issue/issuer.js';
import type { StatusService } from '../credentials/status/index.js';
import type { Rulebook, RulebookStore } from '../rulebook/index.js';
import { AgreementError } from './errors.js';
import type { AgreementLimits } from './limits.js';
import type {
  AgreementAudit,
  AgreementEvents,
  MemberDirectory,
  MemberEntry,
  SpendJti,
  StatementVerifier,
} from './ports.js';

export interface AgreementDeps {
  readonly dataSource: DataSource;
  /** The adopted rulebook versions: the one in force decides roles and purposes. */
  readonly rulebook: RulebookStore;
  /** Issues DataSharingAgreementCredentials signed by the service DID, in the activation's transaction. */
  readonly issuer: CredentialIssuer;
  /** Suspends, reinstates and revokes those credentials' status entries with the agreement. */
  readonly status: StatusService;
  readonly members: MemberDirectory;
  readonly verifyStatement: StatementVerifier;
  readonly spendJti: SpendJti;
  readonly events: AgreementEvents;
  readonly audit: AgreementAudit;
  /** The service's DID: the audience of statements, the issuer of credentials. */
  readonly serviceDid: string;
  /** PUBLIC_URL (no trailing slash). */
  readonly publicUrl: string;
  readonly now: () => Date;
  /** Bounds on what one member keeps open (limits.ts). */
  readonly limits: AgreementLimits;
}

/** Lower-case hex SHA-256 of a string. */
export { sha256Hex } from '../rulebook/index.js';

/** The sides (`supply`, `demand`) the rulebook gives to `roles`; roles it no longer defines give none. */
export function sidesOf(rulebook: Rulebook, roles: readonly string[]): Set<string> {
  return new Set(roles.flatMap((id) => rulebook.role(id)?.sides ?? []));
}

/** The longest canonical policy accepted (characters of its RFC 8785 JSON). */
export const MAX_POLICY_CHARS = 32_768;

/** A member that must be active: `not_a_member` or `member_not_active` otherwise. */
export function requireActive(member: MemberEntry | undefined, did: string): MemberEntry {
  if (!member) throw new AgreementError('not_a_member', `${did} is not a member of the data space`);
  if (member.status !== 'active') {
    throw new AgreementError('member_not_active', `the membership of ${did} is ${member.status}`, {
      member: did,
    });
  }
  return member;
}
