/**
 * The OpenID Connect capability, assembled: the provider mounted at `/oidc`, its storage, the
 * operator's clients and the wallet-login accounts. oidc-provider stays inside this folder:
 * the wallet login (src/oid4vp) drives interactions through `LoginInteractions` only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Router from '@koa/router';
import type Koa from 'koa';
import mount from 'koa-mount';
import type Provider from 'oidc-provider';
import type { DataSource } from 'typeorm';
import type { DidResolver } from '../did/index.js';
import type { AccessTokenVerifier, RequireConnector } from '../http/connector-token.js';
import type { ServiceIdentity, SigningKey, TokenSigningKey } from '../identity/index.js';
import type { Rulebook } from '../rulebook/index.js';
import { createAccessTokenVerifier } from './access-tokens.js';
import { AccountStore, type NaturalPersonIdentity } from './accounts.js';
import { typeormAdapter } from './adapter.js';
import { ClientRegistry } from './clients.js';
import { type ConsentRequestPort, consentDetailsOf, type GrantedConsentDetails } from './consent-details.js';
import { type MemberClientPort, memberClientMetadata } from './member-clients.js';
import { answerOutages, watchOutages } from './outage.js';
import { createProvider, deriveCookieKeys, loadProvider } from './provider.js';
import { redirectUriRoutes } from './redirect-uri-routes.js';
import { MemberRedirectUris, type RedirectUriAudit } from './redirect-uris.js';
import type { RegistryPort } from './registry.js';
import { CREDENTIAL_SCOPES } from './scopes.js';

export const OIDC_PATH = '/oidc';

/** The path of the service's API below PUBLIC_URL: `PUBLIC_URL/api` is the connector tokens' resource. */
export const API_RESOURCE_PATH = '/api';

export interface OidcOptions {
  readonly dataSource: DataSource;
  readonly identity: ServiceIdentity;
  readonly publicUrl: string;
  /** The key-encryption secret (hex): the cookie keys are derived from it. */
  readonly secretHex: string;
  /** The rulebook in force: its claim mapping says which claims each scope releases. */
  readonly rulebook: Rulebook;
  readonly trustProxy: boolean;
  /** The member and board registry: the claims it keeps are read from it at every token. */
  readonly registry: RegistryPort;
  /** Members' connectors as clients: their registry status and the DID methods the rulebook allows. */
  readonly members: MemberClientPort;
  /** The service's hardened DID resolver, which reads members' keys from their DID documents. */
  readonly resolver: DidResolver;
  /** The consent register's answer to a member app's `dataspace_consent` request. */
  readonly consentRequests: ConsentRequestPort;
  /** The consent register's pairwise identifier of a citizen for a controller (a member DID). */
  readonly citizenSubject: (person: NaturalPersonIdentity, controller: string) => Promise<string>;
  /** The audit log: members' redirect URI changes are recorded. */
  readonly audit: RedirectUriAudit;
  /** Development mode: members may register plain http redirect URIs. */
  readonly developmentMode: boolean;
  readonly now?: () => Date;
  /** How often the provider checks whether the service's signing keys changed. Default 30 s. */
  readonly keyRefreshMs?: number;
}

/** An interaction the provider started, as the login page needs it. */
export interface InteractionSummary {
  readonly uid: string;
  readonly clientId: string;
  readonly clientName: string | undefined;
  /** The scopes the relying party asked for. */
  readonly scopes: readonly string[];
  /** `login` or `consent`. */
  readonly prompt: string;
  /** The `dataspace_consent` details of the request (a member's app asking for consent), as sent. */
  readonly consentDetails: readonly Readonly<Record<string, unknown>>[];
  /** The account logged in in this browser's session, if any. */
  readonly accountId: string | undefined;
}

export interface LoginResult {
  readonly accountId: string;
  /** Authentication methods (RFC 8176), e.g. `['vc']`... recorded in the session. */
  readonly amr?: readonly string[];
}

/** What the wallet login may ask of the provider. Every call is bound to the browser's interaction cookie. */
export interface LoginInteractions {
  /** The interaction of this browser (by its cookie); throws `SessionNotFound` without one. */
  details(req: IncomingMessage, res: ServerResponse): Promise<InteractionSummary>;
  /** Completes login and consent for the requested scopes; returns where to send the browser. */
  finish(req: IncomingMessage, res: ServerResponse, result: LoginResult): Promise<string>;
  /**
   * Completes the consent prompt of a member app's request with what the citizen granted (the
   * grant carries the details to the code, the token response and introspection); returns
   * where to send the browser.
   */
  grantConsent(req: IncomingMessage, res: ServerResponse, granted: GrantedConsentDetails): Promise<string>;
  /** Ends the interaction with an OAuth error for the relying party; returns where to send the browser. */
  fail(req: IncomingMessage, res: ServerResponse, error: string, description: string): Promise<string>;
}

export interface Oidc {
  readonly issuer: string;
  /**
   * Where the provider is mounted in the app, below PUBLIC_URL's own path (which the app strips
   * before routing): always OIDC_PATH. The issuer's URL keeps PUBLIC_URL's path.
   */
  readonly path: string;
  readonly clients: ClientRegistry;
  readonly accounts: AccountStore;
  readonly interactions: LoginInteractions;
  /** The keys that sign cookies: the outer koa app must use them as `app.keys`. */
  readonly cookieKeys: readonly string[];
  /** The provider, mounted at OIDC_PATH, for the outer app. */
  readonly middleware: Koa.Middleware;
  /**
   * Rebuilds the provider now if the service's signing keys changed (the middleware also does
   * it by itself every `keyRefreshMs`): `keys rotate` in this process calls it.
   */
  refreshKeys(): Promise<void>;
  /** The resource and audience of connector access tokens: `PUBLIC_URL/api`. */
  readonly apiResource: string;
  /** Where connectors get tokens (`PUBLIC_URL/oidc/token`). */
  readonly tokenEndpoint: string;
  /** Checks connector access tokens locally (for the connector-token middleware). */
  readonly accessTokens: AccessTokenVerifier;
  /** The redirect URIs of members' apps. */
  readonly redirectUris: MemberRedirectUris;
  /** The member routes of this capability (the redirect URIs), behind the connector-token middleware. */
  routers(requireConnector: RequireConnector): Router[];
}

/** The claims each credential scope releases: the rulebook's mapping for that scope's credential type. */
export function scopeClaims(rulebook: Rulebook): Record<string, string[]> {
  const claims: Record<string, string[]> = {};
  for (const [scope, type] of Object.entries(CREDENTIAL_SCOPES)) {
    claims[scope] = Object.entries(rulebook.claimMapping)
      .filter(([, source]) => source.credentialType === type)
      .map(([claim]) => claim);
  }
  return claims;
}

/** How often the provider checks for rotated keys: the identity's own key cache lasts as long. */
const KEY_REFRESH_MS = 30_000;

function keySetOf(keys: readonly (SigningKey | TokenSigningKey)[]): string {
  return keys.map((key) => key.kid).join(' ');
}

export async function openOidc(options: OidcOptions): Promise<Oidc> {
  const now = options.now ?? (() => new Date());
  const issuer = `${options.publicUrl}${OIDC_PATH}`;
  const apiResource = `${options.publicUrl}${API_RESOURCE_PATH}`;
  const accounts = new AccountStore(options.dataSource, options.identity.did, now);
  const redirectUris = new MemberRedirectUris(options.dataSource, now);
  const cookieKeys = deriveCookieKeys(options.secretHex);
  // The path browsers and clients use (PUBLIC_URL's path + /oidc), for the URLs the provider
  // publishes; the app strips PUBLIC_URL's path before routing, so it mounts at OIDC_PATH.
  const publicPath = new URL(issuer).pathname;
  const { errors } = await loadProvider();
  // The provider's signing keys are fixed when it is built: after `keys rotate` (in this
  // process or another one) a new provider is built with the new keys and swapped in, so no
  // replica keeps signing with keys that are no longer the service's current ones.
  const build = async (signingKeys: Awaited<ReturnType<typeof currentSigningKeys>>) => {
    const built = await createProvider({
      issuer,
      signingKeys,
      adapter: typeormAdapter(options.dataSource, {
        now,
        alreadyConsumed: (model) => new errors.InvalidGrant(`${model} already consumed`),
        memberClient: (did) =>
          memberClientMetadata(did, {
            members: options.members,
            resolver: options.resolver,
            redirectUris: (member) => redirectUris.of(member),
          }),
      }),
      accounts,
      registry: options.registry,
      rulebook: options.rulebook,
      cookieKeys,
      scopeClaims: scopeClaims(options.rulebook),
      interactionUrl: (uid, consent) => `${publicPath}/interaction/${uid}${consent ? '/consent' : ''}`,
      consentRequests: options.consentRequests,
      pairwiseSubject: async (accountId, clientId) => {
        const account = await accounts.find(accountId);
        if (!account?.naturalPerson) throw new Error("a member app's login is a natural person's");
        return options.citizenSubject(account.naturalPerson, clientId);
      },
      trustProxy: options.trustProxy,
      apiResource,
    });
    // koa-mount tells the provider it is mounted at OIDC_PATH; the URLs it builds (discovery's
    // endpoints, redirects) are resolved against the request's original URL, so they need the
    // public path, PUBLIC_URL's own path included.
    built.use(async (ctx, next) => {
      ctx.mountPath = publicPath;
      await answerOutages(ctx, next);
    });
    watchOutages(built);
    return { provider: built, kids: keySetOf(signingKeys), middleware: mount(OIDC_PATH, built) };
  };
  const currentSigningKeys = async () => [
    await options.identity.signingKey('ES256'),
    await options.identity.signingKey('EdDSA'),
    await options.identity.tokenSigningKey(),
  ];
  let current = await build(await currentSigningKeys());
  const refreshMs = options.keyRefreshMs ?? KEY_REFRESH_MS;
  let checkedAt = Date.now();
  let refreshing: Promise<void> | undefined;
  /** Rebuilds the provider when the service's signing keys changed; one check at a time. */
  const refreshKeys = (): Promise<void> => {
    refreshing ??= (async () => {
      try {
        const keys = await currentSigningKeys();
        if (keySetOf(keys) !== current.kids) current = await build(keys);
      } finally {
        checkedAt = Date.now();
        refreshing = undefined;
      }
    })();
    return refreshing;
  };
  const provider = {
    interactionDetails: (...args: Parameters<Provider['interactionDetails']>) =>
      current.provider.interactionDetails(...args),
    interactionResult: (...args: Parameters<Provider['interactionResult']>) =>
      current.provider.interactionResult(...args),
    get Client() {
      return current.provider.Client;
    },
    get Grant() {
      return current.provider.Grant;
    },
  };

  const interactions: LoginInteractions = {
    async details(req, res) {
      const interaction = await provider.interactionDetails(req, res);
      const clientId = String(interaction.params.client_id);
      const client = await provider.Client.find(clientId);
      return {
        uid: interaction.uid,
        clientId,
        clientName: client?.clientName,
        scopes: String(interaction.params.scope ?? '')
          .split(' ')
          .filter(Boolean),
        prompt: interaction.prompt.name,
        consentDetails: consentDetailsOf(interaction.params.authorization_details),
        accountId: interaction.session?.accountId,
      };
    },
    async finish(req, res, result) {
      const interaction = await provider.interactionDetails(req, res);
      const clientId = String(interaction.params.client_id);
      const login = { accountId: result.accountId, ...(result.amr ? { amr: [...result.amr] } : {}) };
      // A member app's consent request: the login ends here; the provider then asks for consent
      // in a new interaction, which the consent page completes (grantConsent).
      if (consentDetailsOf(interaction.params.authorization_details).length > 0) {
        return provider.interactionResult(req, res, { login }, { mergeWithLastSubmission: false });
      }
      const grant = new provider.Grant({ accountId: result.accountId, clientId });
      grant.addOIDCScope(String(interaction.params.scope ?? 'openid'));
      const requestedClaims = requestedClaimNames(interaction.params.claims);
      if (requestedClaims.length > 0) grant.addOIDCClaims(requestedClaims);
      const grantId = await grant.save();
      return provider.interactionResult(
        req,
        res,
        { login, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    },
    async grantConsent(req, res, granted) {
      const interaction = await provider.interactionDetails(req, res);
      const accountId = interaction.session?.accountId;
      if (interaction.prompt.name !== 'consent' || accountId === undefined) {
        throw new Error('the interaction does not wait for consent');
      }
      const grant = new provider.Grant({ accountId, clientId: String(interaction.params.client_id) });
      grant.addOIDCScope(String(interaction.params.scope ?? 'openid'));
      grant.addRar({ ...granted, purposes: [...granted.purposes] });
      const grantId = await grant.save();
      return provider.interactionResult(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    },
    fail(req, res, error, description) {
      return provider.interactionResult(
        req,
        res,
        { error, error_description: description },
        { mergeWithLastSubmission: false },
      );
    },
  };

  return {
    issuer,
    path: OIDC_PATH,
    clients: new ClientRegistry(options.dataSource, now),
    accounts,
    interactions,
    cookieKeys,
    middleware: (ctx, next) => {
      // The key check runs beside requests, never in their way (the identity's cache is 30 s).
      if (Date.now() - checkedAt >= refreshMs && !refreshing) {
        void refreshKeys().catch(() => {});
      }
      return current.middleware(ctx, next);
    },
    refreshKeys,
    apiResource,
    tokenEndpoint: `${issuer}/token`,
    accessTokens: createAccessTokenVerifier({
      issuer,
      audience: apiResource,
      keys: options.identity,
      now,
    }),
    redirectUris,
    routers: (requireConnector) => [
      redirectUriRoutes({
        store: redirectUris,
        requireConnector,
        audit: options.audit,
        developmentMode: options.developmentMode,
      }),
    ],
  };
}

/** The claim names of an OpenID Connect `claims` request parameter (§5.5), for the grant. */
function requestedClaimNames(parameter: unknown): string[] {
  if (typeof parameter !== 'string') return [];
  try {
    const parsed = JSON.parse(parameter) as Record<string, unknown>;
    const names = new Set<string>();
    for (const member of ['id_token', 'userinfo']) {
      const claims = parsed[member];
      if (claims && typeof claims === 'object') for (const name of Object.keys(claims)) names.add(name);
    }
    return [...names];
  } catch {
    return [];
  }
}
