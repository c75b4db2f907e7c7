/**
 * Claims never outlive the registry (issue 8). Two halves:
 *
 * - `currentClaims`: whenever the provider issues tokens (code and refresh grants) or answers
 *   userinfo it calls `findAccount`, which reads the claims the registry keeps (membership
 *   status, legal name, roles, board seat) from the registry through `RegistryPort`, mapped by
 *   the rulebook's `claimMapping` exactly as at login. An entry that is no longer active (a
 *   suspended, revoked or withdrawn member, a removed board seat) means the account has no
 *   claims any more: the provider then refuses the grant (`invalid_grant`) or the token
 *   (`invalid_token`). A credential the registry has no entry for keeps the claims verified at
 *   login (the registry cannot say more about it).
 * - `endLogins`: the member lifecycle calls it (through its port, wired by the composition root)
 *   inside the transaction that changes the status, and it deletes every stored session, grant,
 *   code and token of every account that logged in with that DID.
 */
import type { EntityManager } from 'typeorm';
import type { Rulebook } from '../rulebook/index.js';
import type { Account, AccountClaims } from './accounts.js';
import { OidcAccountDidEntity, OidcModelEntity } from './entities.js';

/** What the registry says about a DID for a credential type it keeps. */
export interface RegistryEntry {
  /** `active`, or why not: `suspended`, `revoked`, `withdrawn`, `removed`... */
  readonly status: string;
  /** The credential subject the registry would put in a credential of this type now. */
  readonly credentialSubject: Readonly<Record<string, unknown>>;
}

/** The registry as the OpenID Connect provider reads it (implemented by the composition root). */
export interface RegistryPort {
  /** The entry of `did` for `credentialType`, or undefined when the registry holds none. */
  entry(credentialType: string, did: string): Promise<RegistryEntry | undefined>;
}

function valueAtPath(document: unknown, path: string): unknown {
  let current: unknown = document;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * The account's claims as of now: the login's claims with those the registry keeps replaced by
 * the registry's; undefined when the registry has ended an entry the login rested on.
 */
export async function currentClaims(
  account: Account,
  rulebook: Rulebook,
  registry: RegistryPort,
): Promise<AccountClaims | undefined> {
  const claims: Record<string, unknown> = { ...account.claims };
  for (const source of account.sources) {
    const entry = await registry.entry(source.type, source.did);
    if (!entry) continue;
    if (entry.status !== 'active') return undefined;
    const document = { credentialSubject: entry.credentialSubject };
    for (const [claim, mapping] of Object.entries(rulebook.claimMapping)) {
      if (mapping.credentialType !== source.type) continue;
      const value = 'derived' in mapping ? entry.status : valueAtPath(document, mapping.path);
      if (value === undefined) delete claims[claim];
      else claims[claim] = value;
    }
  }
  return claims;
}

/**
 * Deletes, in the caller's transaction, every stored model (sessions, grants, codes, access and
 * refresh tokens, interactions) of the accounts that logged in with `did`. Returns how many.
 */
export async function endLogins(did: string, manager: EntityManager): Promise<number> {
  const links = await manager.getRepository(OidcAccountDidEntity).findBy({ did });
  if (links.length === 0) return 0;
  const result = await manager
    .createQueryBuilder()
    .delete()
    .from(OidcModelEntity)
    .where('account_id IN (:...accounts)', { accounts: links.map((link) => link.accountId) })
    .execute();
  return result.affected ?? 0;
}
