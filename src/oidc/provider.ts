/**
 * The oidc-provider configuration: every default that matters is set here on purpose.
 *
 * - Keys: the service's own EdDSA and P-256 keys (their `kid` is the DID URL) and its RSA token
 *   key (RS256, `kid` its JWK thumbprint); no development keys. ID tokens are ES256 unless the
 *   client was registered with `id_token_signed_response_alg` RS256 or EdDSA.
 * - No development interactions: logins go through the wallet login (src/oid4vp).
 * - Authorization code flow only, PKCE S256 for every client, exact redirect URIs, `iss` in
 *   authorization responses (RFC 9207: oidc-provider always sends it), refresh tokens rotated,
 *   RP-initiated logout, client credentials (for connectors, with `private_key_jwt`).
 * - Members' connectors (client id = the member's DID, member-clients.ts) get JWT access tokens
 *   (RFC 9068, ES256) for one resource, the service's API (`PUBLIC_URL/api`), by default and
 *   only: resource indicators (RFC 8707) name no other resource, and no other client may ask
 *   for this one. Their client assertions follow draft-ietf-oauth-rfc7523bis: `aud` is the
 *   issuer identifier as a single string, and they live briefly.
 * - Cookies signed with keys derived from the key-encryption secret (HKDF), never hard-coded.
 * - A `ttl` for every model, and storage in the database (adapter.ts).
 */

import { hkdfSync, type KeyObject } from 'node:crypto';
import type { Configuration, JWK, default as Provider } from 'oidc-provider';
import type { SigningKey, TokenSigningKey } from '../identity/index.js';
import type { Rulebook } from '../rulebook/index.js';
import type { AccountStore } from './accounts.js';
import { type AdapterConstructor, ReplayDetected } from './adapter.js';
import { clientSecretMatches } from './clients.js';
import {
  CONSENT_DETAILS_TYPE,
  type ConsentRequestPort,
  consentDetailRefusal,
  consentDetailsOf,
} from './consent-details.js';
import { renderProviderError } from './error-page.js';
import { isMemberClientId } from './member-clients.js';
import { currentClaims, type RegistryPort } from './registry.js';
import { CONNECTOR_SCOPE_NAMES, SUPPORTED_SCOPES } from './scopes.js';

/** Model lifetimes in seconds. */
export const OIDC_TTL = {
  AccessToken: 600,
  AuthorizationCode: 60,
  BackchannelAuthenticationRequest: 600,
  ClientCredentials: 600,
  DeviceCode: 600,
  Grant: 14 * 24 * 3600,
  IdToken: 3600,
  Interaction: 600,
  PreAuthorizedCode: 600,
  PushedAuthorizationRequest: 60,
  RefreshToken: 14 * 24 * 3600,
  Session: 14 * 24 * 3600,
} as const;

export const ALGORITHMS = ['ES256', 'EdDSA'] as const;

/**
 * ID tokens and userinfo may also be RS256 (the token key): OpenID Connect Core §15.1 and
 * Discovery §3 make RS256 mandatory for an OP. Client authentication, request objects and the
 * rest keep the allow-list.
 */
export const ID_TOKEN_ALGORITHMS = ['RS256', ...ALGORITHMS] as const;

/**
 * Client assertions may also name EdDSA over Ed25519 by its fully-specified identifier
 * `Ed25519` (RFC 9864), which current clients send (openid-client 6 does): the same algorithm
 * and key type as `EdDSA` here, so the allow-list does not grow.
 */
export const CLIENT_AUTH_ALGORITHMS = [...ALGORITHMS, 'Ed25519'] as const;

export interface ProviderOptions {
  readonly issuer: string;
  readonly signingKeys: readonly (SigningKey | TokenSigningKey)[];
  readonly adapter: AdapterConstructor;
  readonly accounts: AccountStore;
  /** The registry the claims it keeps are read from at every token and userinfo. */
  readonly registry: RegistryPort;
  /** The rulebook whose claim mapping turns registry entries into claims. */
  readonly rulebook: Rulebook;
  readonly cookieKeys: readonly string[];
  /** Scope → the claims it releases (from the rulebook's claim mapping). */
  readonly scopeClaims: Readonly<Record<string, readonly string[]>>;
  /** The path of the login page of an interaction, e.g. `/oidc/interaction/<uid>`. */
  /**
   * The path of the page of an interaction: the login page (`/oidc/interaction/<uid>`), or,
   * with `consent` (the citizen logged in and a member's app asked for consent), the consent
   * page (`/oidc/interaction/<uid>/consent`).
   */
  readonly interactionUrl: (uid: string, consent: boolean) => string;
  readonly trustProxy: boolean;
  /** The resource (RFC 8707) of connector access tokens and their audience: `PUBLIC_URL/api`. */
  readonly apiResource: string;
  /** The consent register's answer to a member app's `dataspace_consent` request (consent-details.ts). */
  readonly consentRequests: ConsentRequestPort;
  /**
   * The `sub` of account `accountId` for member client `clientId`: the consent register's
   * pairwise identifier of that citizen for that controller. Throws for an account that is no
   * natural person's.
   */
  readonly pairwiseSubject: (accountId: string, clientId: string) => Promise<string>;
}

/** How far ahead a member's client assertion may expire (it is single use and short-lived). */
export const CLIENT_ASSERTION_MAX_LIFETIME_SECONDS = 300;

/** How far in the future a client assertion's `iat` may be (clocks of the member and of replicas). */
export const CLIENT_ASSERTION_CLOCK_SKEW_SECONDS = 60;

/** JOSE `typ` values a client assertion may carry: none, the generic one, or rfc7523bis's explicit type. */
const CLIENT_ASSERTION_TYPES = new Set([undefined, 'JWT', 'jwt', 'client-authentication+jwt']);

/** The cookie-signing keys, derived from the key-encryption secret so every replica has the same. */
export function deriveCookieKeys(secretHex: string): string[] {
  const key = hkdfSync(
    'sha256',
    Buffer.from(secretHex, 'hex'),
    Buffer.alloc(0),
    'dataspace-trust oidc cookie keys v1',
    32,
  );
  return [Buffer.from(key).toString('base64url')];
}

function privateJwk(key: SigningKey | TokenSigningKey): JWK {
  const jwk = (key.privateKey as KeyObject).export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid: key.kid, alg: key.algorithm, use: 'sig' };
}

/**
 * oidc-provider, loaded when the service opens, not when the CLI starts: on import it warns on
 * stderr about Node 20, which commands that never open the service must not print.
 */
export function loadProvider(): Promise<typeof import('oidc-provider')> {
  return import('oidc-provider');
}

export async function createProvider(options: ProviderOptions): Promise<Provider> {
  const { default: ProviderClass, errors } = await loadProvider();
  const { apiResource } = options;
  const configuration: Configuration = {
    adapter: options.adapter as unknown as Configuration['adapter'],
    jwks: { keys: options.signingKeys.map(privateJwk) },
    cookies: {
      keys: [...options.cookieKeys],
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      userinfo: { enabled: true },
      registration: { enabled: false },
      // RFC 9396: a member's app asks for a citizen's consent to one of its notices
      // (consent-details.ts); what the citizen granted goes into the grant (module.ts), its code,
      // its access token, the token response and introspection, unchanged.
      richAuthorizationRequests: {
        enabled: true,
        types: {
          [CONSENT_DETAILS_TYPE]: {
            validate: async (ctx, detail, client) => {
              const refusal = await consentDetailRefusal(
                {
                  route: ctx.oidc.route,
                  scope: ctx.oidc.params?.scope,
                  authorizationDetails: ctx.oidc.params?.authorization_details,
                },
                detail as Record<string, unknown>,
                client.clientId,
                options.consentRequests,
              );
              if (refusal !== undefined) throw new errors.InvalidAuthorizationDetails(refusal);
            },
          },
        },
        authorizationDetailsForGrantSource: (ctx) => ctx.oidc.grant?.rar,
        authorizationDetailsForAccessToken: (_ctx, _token, source) =>
          (source as { rar?: unknown } | undefined)?.rar as never,
        authorizationDetailsForIntrospection: (_ctx, token) => (token as { rar?: unknown }).rar as never,
      },
      resourceIndicators: {
        enabled: true,
        // A member's connector gets a token for the API without naming it; nobody else does.
        defaultResource: (_ctx, client, oneOf) =>
          oneOf ?? (isMemberClientId(client.clientId) ? apiResource : undefined),
        useGrantedResource: () => false,
        getResourceServerInfo: (ctx, resource, client) => {
          if (resource !== apiResource || !isMemberClientId(client.clientId))
            throw new errors.InvalidTarget();
          // Only the client credentials grant gives a connector token. A member's app that
          // logs a citizen in gets an opaque token without any scope: it opens no API (its
          // `authorization_details` are in the token response and at introspection).
          const grantType = (ctx.oidc.params as { grant_type?: unknown } | undefined)?.grant_type;
          if (grantType !== 'client_credentials') {
            return {
              scope: '',
              audience: apiResource,
              accessTokenTTL: OIDC_TTL.AccessToken,
              accessTokenFormat: 'opaque',
            };
          }
          return {
            scope: CONNECTOR_SCOPE_NAMES.join(' '),
            audience: apiResource,
            accessTokenTTL: OIDC_TTL.ClientCredentials,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    assertJwtClientAuthClaimsAndHeader: async (ctx, claims, header, client) => {
      if (!isMemberClientId(client.clientId)) return;
      if (claims.aud !== ctx.oidc.issuer) {
        throw new errors.InvalidClientAuth('aud must be the issuer identifier, as a single string');
      }
      // `sub` and `iss` equal to the client id are oidc-provider's own checks (client_auth.js).
      const now = Math.floor(Date.now() / 1000);
      if (typeof claims.exp !== 'number' || claims.exp > now + CLIENT_ASSERTION_MAX_LIFETIME_SECONDS) {
        throw new errors.InvalidClientAuth(
          `exp must be at most ${CLIENT_ASSERTION_MAX_LIFETIME_SECONDS} seconds ahead`,
        );
      }
      // An assertion issued ahead of time could be signed now and used later by whoever holds
      // it; `iat` is optional (RFC 7523 §3) but, when present, a number not in the future
      // beyond the clock tolerance between replicas.
      if (
        claims.iat !== undefined &&
        (typeof claims.iat !== 'number' || claims.iat > now + CLIENT_ASSERTION_CLOCK_SKEW_SECONDS)
      ) {
        throw new errors.InvalidClientAuth('iat must be a time that is not in the future');
      }
      if (!CLIENT_ASSERTION_TYPES.has(header.typ as string | undefined)) {
        throw new errors.InvalidClientAuth(`a client assertion is not of type ${String(header.typ)}`);
      }
    },
    // Members' apps see a citizen under the consent register's pairwise identifier for that
    // member (OpenID Connect Core §8.1), in the ID token, access token and introspection alike:
    // the same value its connector asks the consent check about. Operator-registered relying
    // parties keep public subjects. A member client's sector is its DID, not a host, so its
    // `sector_identifier_uri` (member-clients.ts) is never fetched.
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) => {
      if (!isMemberClientId(client.clientId)) {
        throw new Error("pairwise subjects are only defined for members' apps");
      }
      return options.pairwiseSubject(accountId, client.clientId);
    },
    sectorIdentifierUriValidate: (client) => !isMemberClientId(client.clientId),
    pkce: { required: () => true },
    responseTypes: ['code'],
    allowOmittingSingleRegisteredRedirectUri: false,
    rotateRefreshToken: true,
    // Connector scopes are known to the provider so that a client not registered for them (any
    // relying party) is refused them (`invalid_scope`); only member clients have them.
    scopes: [...SUPPORTED_SCOPES, ...CONNECTOR_SCOPE_NAMES],
    claims: {
      openid: ['sub'],
      ...Object.fromEntries(Object.entries(options.scopeClaims).map(([s, c]) => [s, [...c]])),
    },
    // Claims of the requested scopes go into the ID token as well as userinfo.
    conformIdTokenClaims: false,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: {
      idTokenSigningAlgValues: [...ID_TOKEN_ALGORITHMS],
      userinfoSigningAlgValues: [...ID_TOKEN_ALGORITHMS],
      clientAuthSigningAlgValues: [...CLIENT_AUTH_ALGORITHMS],
      requestObjectSigningAlgValues: [...ALGORITHMS],
      authorizationSigningAlgValues: [...ALGORITHMS],
      introspectionSigningAlgValues: [...ALGORITHMS],
    },
    ttl: { ...OIDC_TTL },
    // Where the browser cannot be sent back to the application: a readable page (error-page.ts).
    renderError: async (ctx, out) => {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = renderProviderError(out, String(ctx.state.cspNonce ?? ''));
    },
    interactions: {
      url: (_ctx, interaction) =>
        options.interactionUrl(
          interaction.uid,
          interaction.prompt.name === 'consent' &&
            consentDetailsOf(interaction.params.authorization_details).length > 0,
        ),
    },
    // Called for every token issued (code and refresh grants) and every userinfo answer: the
    // registry's claims are read now, and an ended membership has no account (registry.ts).
    findAccount: async (_ctx, sub) => {
      const account = await options.accounts.find(sub);
      if (!account) return undefined;
      const claims = await currentClaims(account, options.rulebook, options.registry);
      if (!claims) return undefined;
      return { accountId: account.accountId, claims: () => ({ ...claims, sub: account.accountId }) };
    },
  };
  const provider = new ProviderClass(options.issuer, configuration);
  provider.proxy = options.trustProxy;
  // Client secrets are stored hashed (clients.ts): compare the presented secret with the hash.
  const prototype = provider.Client.prototype as unknown as { compareClientSecret?: unknown };
  if (typeof prototype.compareClientSecret !== 'function') {
    throw new Error(
      'oidc-provider no longer has Client#compareClientSecret: hashed client secrets cannot be checked',
    );
  }
  prototype.compareClientSecret = function compareClientSecret(
    this: { clientSecret?: string },
    actual: string,
  ) {
    return clientSecretMatches(this.clientSecret, actual);
  };
  // Replay records are insert-only (adapter.ts): a racing second use of one client assertion
  // fails its insert, which is the answer "used before", not a server error.
  const replay = provider.ReplayDetection as unknown as {
    unique?: (iss: string, jti: string, exp: number) => Promise<boolean>;
  };
  const unique = replay.unique;
  if (typeof unique !== 'function') {
    throw new Error(
      'oidc-provider no longer has ReplayDetection.unique: assertion replays cannot be refused',
    );
  }
  replay.unique = async function uniqueOnce(iss, jti, exp) {
    try {
      return await unique.call(this, iss, jti, exp);
    } catch (error) {
      if (error instanceof ReplayDetected) return false;
      throw error;
    }
  };
  return provider;
}
