/**
 * The OpenID4VCI 1.0 issuer (docs/oid4vci.md), assembled from its parts. It is its own
 * authorization server for both grants. Not oidc-provider: its token endpoint authenticates
 * every client and knows registered clients only, while a wallet redeeming a pre-authorized
 * code is anonymous (§6.1, `pre-authorized_grant_anonymous_access_supported`) and a wallet
 * asking for an authorization code is a public client that registers nowhere (its `client_id`
 * and `redirect_uri` are bound to the code, PKCE S256 proves it is the same wallet). The
 * holder's login is the wallet login (OpenID4VP) through `WalletLoginPort`, not an OpenID
 * Connect session: what proves membership is the MembershipCredential itself.
 */
import type Router from '@koa/router';
import type { DataSource } from 'typeorm';
import type { CredentialIssuer } from '../credentials/issue/issuer.js';
import type { TransactionalNonceStore } from '../credentials/nonce-store.js';
import type { KeyLookup } from '../credentials/verify/ports.js';
import type { SweepTarget } from '../db/index.js';
import { authorizationRoutes } from './authorization-routes.js';
import { Authorizations, type WalletLoginPort } from './authorizations.js';
import {
  boardConfigurations,
  type CredentialConfiguration,
  membershipConfigurations,
} from './configurations.js';
import { CredentialEndpoint } from './credential-endpoint.js';
import { dpopError, verifyDpopProof } from './dpop.js';
import { Oid4vciError } from './errors.js';
import { issuePort, type MemberWithRecord } from './issue.js';
import { authorizationServerMetadata, endpoints, issuerMetadata } from './metadata.js';
import { CNonces } from './nonces.js';
import { type NotificationAudit, notify } from './notifications.js';
import { type OfferPresentation, presentOffer } from './offer-links.js';
import { type CreatedOffer, Offers } from './offers.js';
import { PushedRequests } from './pushed-requests.js';
import { oid4vciRoutes } from './routes.js';
import { issuerSecrets } from './secrets.js';

export const OID4VCI_SWEEP_TARGETS: readonly SweepTarget[] = [
  { table: 'oid4vci_offer', column: 'expires_at', format: 'iso' },
  { table: 'oid4vci_token', column: 'expires_at', format: 'iso' },
  { table: 'oid4vci_notification', column: 'expires_at', format: 'iso' },
  { table: 'oid4vci_authorization', column: 'expires_at', format: 'iso' },
  { table: 'oid4vci_pushed_request', column: 'expires_at', format: 'iso' },
];

/**
 * A holder of the registry, as the issuer reads it: a member (its MembershipCredential) or a
 * board seat (its BoardMemberCredential), with the credential of record it has.
 */
export interface IssuerMemberPort {
  find(did: string): Promise<
    | {
        readonly status: string;
        readonly subject: Readonly<Record<string, unknown>> & { readonly id: string };
        readonly credentialId: string | null;
      }
    | undefined
  >;
}

export interface Oid4vciOptions {
  readonly dataSource: DataSource;
  readonly publicUrl: string;
  /** The key-encryption secret (hex): the c_nonce and code MAC keys derive from it. */
  readonly secretHex: string;
  readonly issuer: CredentialIssuer;
  /** The `vct` of the MembershipCredential's SD-JWT VC type, when the schemas define one. */
  readonly membershipVct: string | undefined;
  /** Keys from DID documents (the verification pipeline's lookup). */
  readonly keys: KeyLookup;
  readonly usedNonces: TransactionalNonceStore;
  readonly members: IssuerMemberPort;
  /** The board's seats (the BoardMemberCredential's holders). */
  readonly board: IssuerMemberPort;
  /** The admitted applicant of application `id`, proven by `presentation`; throws otherwise. */
  readonly admittedApplicant: (id: string, presentation: unknown) => Promise<string>;
  readonly audit: NotificationAudit;
  /** The service DID (the issuer of the MembershipCredential a holder proves membership with). */
  readonly serviceDid: string;
  /** The wallet login the authorization code grant proves membership with. */
  readonly walletLogin: WalletLoginPort;
  /**
   * Refuse token requests without a DPoP proof (OID4VCI_REQUIRE_DPOP, HAIP). Off: a request
   * with a proof gets a DPoP-bound token, one without a Bearer token.
   */
  readonly requireDpop?: boolean;
  /** Refuse authorization requests that were not pushed (OID4VCI_REQUIRE_PAR, RFC 9126). */
  readonly requirePushedRequests?: boolean;
  readonly now?: () => Date;
}

export interface OfferOptions {
  readonly txCode?: boolean;
  readonly configurations?: readonly string[];
}

export interface Oid4vci {
  readonly configurations: readonly CredentialConfiguration[];
  readonly metadata: Record<string, unknown>;
  /**
   * An offer to `did` of `configurations` (default: every MembershipCredential one), all of one
   * credential type whose holder `did` is, active (a member, or a board seat for the
   * BoardMemberCredential), with a transaction code unless `txCode` is false.
   */
  offerTo(did: string, options?: OfferOptions): Promise<CreatedOffer>;
  /** The same, as shown to a person (links, QR code, tx_code). */
  presentOfferTo(did: string, options?: OfferOptions): Promise<OfferPresentation>;
  readonly routers: readonly Router[];
}

export function openOid4vci(options: Oid4vciOptions): Oid4vci {
  const now = options.now ?? (() => new Date());
  const urls = endpoints(options.publicUrl);
  const secrets = issuerSecrets(options.secretHex);
  const membership = membershipConfigurations(options.membershipVct);
  const configurations = [...membership, ...boardConfigurations()];
  // The authorization code grant proves membership (the wallet's MembershipCredential): it
  // grants the MembershipCredential's configurations only.
  const authorizable = configurations.filter((c) => c.byAuthorizationCode);
  /** Who holds credentials of `type`: the member registry, or the board for its seats. */
  const registryOf = (type: string): IssuerMemberPort =>
    type === 'BoardMemberCredential' ? options.board : options.members;
  const offers = new Offers({
    dataSource: options.dataSource,
    secrets,
    credentialIssuer: urls.credentialIssuer,
    offerUrl: urls.offer,
    now,
  });
  const nonces = new CNonces(secrets, options.usedNonces, now);
  const holder = async (type: string, did: string): Promise<MemberWithRecord | undefined> => {
    const found = await registryOf(type).find(did);
    if (!found) return undefined;
    const record = found.credentialId ? await options.issuer.record(found.credentialId) : null;
    return { ...found, record };
  };
  const credentialEndpoint = new CredentialEndpoint({
    dataSource: options.dataSource,
    credentialIssuer: urls.credentialIssuer,
    url: urls.credential,
    configurations,
    keys: options.keys,
    nonces,
    usedNonces: options.usedNonces,
    holder,
    issuer: issuePort(options.issuer),
    now,
  });
  const offerTo = async (did: string, offerOptions: OfferOptions = {}) => {
    const ids = offerOptions.configurations ?? membership.map((c) => c.id);
    const unknown = ids.filter((id) => !configurations.some((c) => c.id === id));
    if (ids.length === 0 || unknown.length > 0)
      throw new Oid4vciError('unknown_credential_configuration', `no configuration ${unknown.join(', ')}`);
    const types = new Set(configurations.filter((c) => ids.includes(c.id)).map((c) => c.type));
    if (types.size !== 1)
      throw new Oid4vciError(
        'unknown_credential_configuration',
        'one offer holds configurations of one credential type',
      );
    const [type] = [...types] as [string];
    const found = await registryOf(type).find(did);
    if (found?.status !== 'active')
      throw new Oid4vciError(
        'credential_request_denied',
        type === 'BoardMemberCredential'
          ? `${did} holds no seat on the board`
          : `${did} is not an active member`,
      );
    return offers.create(did, ids, offerOptions.txCode ?? true);
  };
  const metadata = issuerMetadata(urls, configurations);
  const authorizations = new Authorizations({
    dataSource: options.dataSource,
    offers,
    login: options.walletLogin,
    serviceDid: options.serviceDid,
    memberStatus: async (did) => (await options.members.find(did))?.status,
    credentialIssuer: urls.credentialIssuer,
    now,
  });
  return {
    configurations,
    metadata,
    offerTo,
    presentOfferTo: async (did, offerOptions) => presentOffer(await offerTo(did, offerOptions)),
    routers: [
      oid4vciRoutes({
        issuerMetadata: metadata,
        authorizationServerMetadata: authorizationServerMetadata(
          urls,
          authorizable,
          options.requirePushedRequests === true,
        ),
        offers,
        tokenDpop: async (proof) => {
          if (proof === undefined) {
            if (options.requireDpop === true)
              throw dpopError('this token endpoint requires a DPoP proof (RFC 9449)', 400);
            return undefined;
          }
          const verified = await verifyDpopProof(
            { proof, method: 'POST', url: urls.token, status: 400, now: now() },
            options.usedNonces,
          );
          return verified.jkt;
        },
        exchangeCode: (body, jkt) => authorizations.exchange(body, jkt),
        credentialEndpoint,
        cNonce: () => nonces.issue(),
        notify: (headers, body) =>
          notify(
            {
              dataSource: options.dataSource,
              audit: options.audit,
              replays: options.usedNonces,
              url: urls.notification,
              now,
            },
            headers,
            body,
          ),
        applicantOffer: async (id, presentation) =>
          presentOffer(await offerTo(await options.admittedApplicant(id, presentation))),
      }),
      authorizationRoutes({
        authorizations,
        configurations: authorizable,
        credentialIssuer: urls.credentialIssuer,
        secureCookies: options.publicUrl.startsWith('https:'),
        pushedRequests: new PushedRequests(options.dataSource, now),
        parDpop: async (proof) =>
          proof === undefined
            ? undefined
            : (
                await verifyDpopProof(
                  { proof, method: 'POST', url: urls.pushedAuthorizationRequest, status: 400, now: now() },
                  options.usedNonces,
                )
              ).jkt,
        requirePushedRequests: options.requirePushedRequests === true,
      }),
    ],
  };
}
