/**
 * Wallet-login accounts. An account is the pair (issuer, subject) of the credential that
 * identified the person or organisation; its id (the ID token's `sub`) is a hash of that
 * pair, so the same credential subject vouched for by another issuer is another account.
 * The claims mapped from the credentials at the last login are kept for `findAccount`, with
 * the credentials whose claims the registry keeps (the service's own membership and board
 * credentials): those are re-read from the registry whenever tokens are issued (registry.ts).
 */
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction, reading } from '../db/index.js';
import { OidcAccountDidEntity, OidcAccountEntity } from './entities.js';
import { CREDENTIAL_SCOPES } from './scopes.js';

export type AccountClaims = Readonly<Record<string, unknown>>;

/** A credential of the login whose claims the registry keeps: its type and its subject's DID. */
export interface RegistrySource {
  readonly type: string;
  readonly did: string;
}

export interface Account {
  readonly accountId: string;
  readonly issuer: string;
  readonly subject: string;
  readonly claims: AccountClaims;
  readonly sources: readonly RegistrySource[];
  /** Set when the account is a natural person's (a `citizen` login). */
  readonly naturalPerson?: NaturalPersonIdentity;
}

/** What a natural-person login keeps of its credential: enough to know the citizen again, nothing more. */
export interface NaturalPersonIdentity {
  /** The issuer the pipeline found trusted for the type. */
  readonly issuer: string;
  /** The rulebook's natural-person credential type. */
  readonly type: string;
  /** The wallet DID that presented the credential (its subject). */
  readonly holder: string;
  /** The rulebook's identifier claim (a dotted path) and its value, when the rulebook names one. */
  readonly identifier?: { readonly claim: string; readonly value: string };
}

/** A credential the login verified, as far as the account needs it. */
export interface LoginCredential {
  readonly issuer: string;
  readonly subject: string;
  readonly types: readonly string[];
}

const REGISTRY_TYPES: readonly string[] = Object.values(CREDENTIAL_SCOPES);

export function accountIdOf(issuer: string, subject: string): string {
  return createHash('sha256').update(`${issuer}\n${subject}`, 'utf8').digest('base64url');
}

export class AccountStore {
  constructor(
    private readonly dataSource: DataSource,
    /** The service DID: only its own credentials are the registry's. */
    private readonly serviceDid: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Creates or updates the account of (issuer, subject) with the claims of this login, and
   * links it to the subject of every credential the login verified.
   */
  async record(
    issuer: string,
    subject: string,
    claims: AccountClaims,
    manager?: EntityManager,
    credentials: readonly LoginCredential[] = [],
    naturalPerson?: NaturalPersonIdentity,
  ): Promise<Account> {
    const accountId = accountIdOf(issuer, subject);
    const sources: RegistrySource[] = [];
    for (const credential of credentials) {
      if (credential.issuer !== this.serviceDid) continue;
      for (const type of credential.types)
        if (REGISTRY_TYPES.includes(type)) sources.push({ type, did: credential.subject });
    }
    const row = {
      accountId,
      issuer,
      subject,
      claims: JSON.stringify(claims),
      sources: JSON.stringify(sources),
      naturalPerson: naturalPerson ? JSON.stringify(naturalPerson) : null,
      updatedAt: this.now().toISOString(),
    };
    const dids = new Set([subject, ...credentials.map((credential) => credential.subject)]);
    await inTransaction(this.dataSource, manager, async (own) => {
      const repository = own.getRepository(OidcAccountEntity);
      if (await repository.findOneBy({ accountId })) await repository.update({ accountId }, row);
      else await repository.insert(row);
      // A concurrent login of the same account may add the same link: ignored, not an error.
      await own
        .createQueryBuilder()
        .insert()
        .into(OidcAccountDidEntity)
        .values([...dids].map((did) => ({ accountId, did })))
        .orIgnore()
        .execute();
    });
    return { accountId, issuer, subject, claims, sources, ...(naturalPerson ? { naturalPerson } : {}) };
  }

  async find(accountId: string): Promise<Account | undefined> {
    const row = await reading(this.dataSource, undefined, (manager) =>
      manager.getRepository(OidcAccountEntity).findOneBy({ accountId }),
    );
    return row
      ? {
          accountId: row.accountId,
          issuer: row.issuer,
          subject: row.subject,
          claims: JSON.parse(row.claims) as AccountClaims,
          sources: row.sources ? (JSON.parse(row.sources) as RegistrySource[]) : [],
          ...(row.naturalPerson
            ? { naturalPerson: JSON.parse(row.naturalPerson) as NaturalPersonIdentity }
            : {}),
        }
      : undefined;
  }
}
