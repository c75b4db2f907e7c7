/**
 * The wallet login (OpenID4VP 1.0 with DCQL) that completes the OpenID Connect provider's
 * interactions. It uses the provider only through `Oidc.interactions` and `Oidc.accounts`.
 */
import type Router from '@koa/router';
import type { DataSource } from 'typeorm';
import type { Credentials } from '../credentials/module.js';
import type { ServiceIdentity } from '../identity/index.js';
import type { Oidc } from '../oidc/index.js';
import type { RulebookCapability } from '../rulebook/index.js';
import type { RenderLoginPage } from './page.js';
import { verifierClientId } from './request-object.js';
import { oid4vpRoutes } from './routes.js';
import { openSigning, type Signing } from './signing.js';
import { TransactionStore } from './transactions.js';

export interface Oid4vpOptions {
  readonly publicUrl: string;
  readonly dataSource: DataSource;
  readonly identity: ServiceIdentity;
  readonly credentials: Credentials;
  readonly rulebook: RulebookCapability;
  readonly oidc: Oidc;
  /** The login page's renderer (the portal's, given by the composition root). */
  readonly renderLoginPage: RenderLoginPage;
  /**
   * The registered name of a relying party whose client id is a member's DID (a member's app):
   * its legal name in the registry. Other clients show the name they were registered with.
   */
  readonly memberName?: (did: string) => Promise<string | undefined>;
  readonly now?: () => Date;
}

export interface Oid4vp {
  /** The client identifier wallets see: `decentralized_identifier:<service DID>`. */
  readonly clientId: string;
  readonly routers: readonly Router[];
  /** Presentation requests that sign `transaction_data` (the portal's votes and applications). */
  readonly signing: Signing;
}

export function openOid4vp(options: Oid4vpOptions): Oid4vp {
  const now = options.now ?? (() => new Date());
  const transactions = new TransactionStore(options.dataSource, now);
  return {
    clientId: verifierClientId(options.identity.did),
    routers: [oid4vpRoutes({ ...options, transactions, now })],
    signing: openSigning({ ...options, transactions }),
  };
}
