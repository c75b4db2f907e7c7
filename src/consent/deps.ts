/**
 * What the consent register's services share: the database, the service's own capabilities it
 * builds on (rulebook, credentials' issuer and status lists, nonces) and the ports the
 * composition root implements (members, statements, events, audit).
 */
import type { DataSource } from 'typeorm';
import type { CredentialIssuer } from '../credentials/issue/issuer.js';
import type { StatusService } from '../credentials/status/index.js';
import type { RulebookStore } from '../rulebook/index.js';
import type { ConsentKeys } from './pairwise.js';
import type { ConsentAudit, ConsentEvents, MemberDirectory, StatementVerifier } from './ports.js';

export interface ConsentDeps {
  readonly dataSource: DataSource;
  /** The adopted rulebook versions: the one in force decides what notices may say. */
  readonly rulebook: RulebookStore;
  /** Issues ConsentReceiptCredentials signed by the service DID, in the consent's transaction. */
  readonly issuer: CredentialIssuer;
  /** Revokes a receipt's status entry in the transaction that ends its consent. */
  readonly status: StatusService;
  readonly keys: ConsentKeys;
  readonly members: MemberDirectory;
  readonly verifyStatement: StatementVerifier;
  readonly events: ConsentEvents;
  readonly audit: ConsentAudit;
  /** The service's DID: the issuer of receipts, the actor of what the service does on its own. */
  readonly serviceDid: string;
  /** PUBLIC_URL (no trailing slash): notice URLs in records and exports. */
  readonly publicUrl: string;
  /** Where a citizen withdraws consent (ISO/IEC TS 27560 `withdrawal_method`): the dashboard. */
  readonly withdrawalUrl: string;
  readonly now: () => Date;
}

/** Lower-case hex SHA-256 of a string. */
export { sha256Hex } from '../rulebook/index.js';

export const DAY_MS = 86_400_000;
