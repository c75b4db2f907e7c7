/**
 * Wallet-login accounts. An account is the pair (issuer, subject) of the credential that
 * identified the person or organisation; its id (the ID token's `sub`) is a hash of that
 * pair, so the same credential subject vouched for by another issuer is another account.
 * The claims mapped from the credentials at the last login are kept for `findAccount`.
 */
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction, reading } from '../db/index.js';
import { OidcAccountEntity } from './entities.js';

export type AccountClaims = Readonly<Record<string, unknown>>;

export interface Account {
  readonly accountId: string;
  readonly issuer: string;
  readonly subject: string;
  readonly claims: AccountClaims;
}

export function accountIdOf(issuer: string, subject: string): string {
  return createHash('sha256').update(`${issuer}\n${subject}`, 'utf8').digest('base64url');
}

export class AccountStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates or updates the account of (issuer, subject) with the claims of this login. */
  async record(
    issuer: string,
    subject: string,
    claims: AccountClaims,
    manager?: EntityManager,
  ): Promise<Account> {
    const accountId = accountIdOf(issuer, subject);
    const row = {
      accountId,
      issuer,
      subject,
      claims: JSON.stringify(claims),
      updatedAt: this.now().toISOString(),
    };
    await inTransaction(this.dataSource, manager, async (own) => {
      const repository = own.getRepository(OidcAccountEntity);
      if (await repository.findOneBy({ accountId })) await repository.update({ accountId }, row);
      else await repository.insert(row);
    });
    return { accountId, issuer, subject, claims };
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
        }
      : undefined;
  }
}
