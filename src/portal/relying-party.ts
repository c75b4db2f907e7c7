/**
 * The portal as a relying party of the service's own OpenID Connect provider (issue 14 item 4):
 * the authorization code flow with PKCE (RFC 7636, S256), `state` and `nonce`, done
 * server-side with openid-client, which validates the provider's answer as any relying party
 * would: the RFC 9207 `iss` parameter, the state, the code exchange with the verifier, and the
 * ID token's signature, issuer, audience, expiry and nonce.
 *
 * Why a real client over HTTP rather than a shortcut into the provider: the portal then uses the
 * provider exactly as a member's app does (the same endpoints, checks and tokens), holds no
 * knowledge of oidc-provider's internals, and the provider stays the only place where logins are
 * decided. The cost is one request from the service to its own PUBLIC_URL per login (discovery
 * once, then the token endpoint): PUBLIC_URL must be reachable from the service itself.
 */
import * as client from 'openid-client';
import type { Citizen } from '../consent/index.js';
import { PortalError } from './errors.js';
import type { PendingLogin } from './sessions.js';

/** A login the provider confirmed. */
export interface VerifiedLogin {
  /** The ID token (kept for RP-initiated logout's `id_token_hint`). */
  readonly idToken: string;
  /** The provider's account: the ID token's `sub`. */
  readonly accountId: string;
  /** The citizen of this login (refuses when the login did not identify a natural person). */
  citizen(): Promise<Citizen>;
}

/** What the portal's routes ask of the relying party. */
export interface RelyingParty {
  /** A new login: where to send the browser, and what to keep in its session until it returns. */
  start(
    returnTo: string,
    options?: { readonly scope?: string; readonly purpose?: 'board' },
  ): Promise<{ readonly url: string; readonly pending: PendingLogin }>;
  /** The provider's answer at the callback; `login_failed` or `login_refused` otherwise. */
  finish(callbackUrl: URL, pending: PendingLogin): Promise<VerifiedLogin>;
  /** Where to send the browser to end the provider's session too (RP-initiated logout 1.0). */
  logoutUrl(idToken: string | undefined, postLogoutRedirectUri: string): Promise<string>;
}

/** The ID token's claims as the citizen port reads them. */
export interface LoginClaims {
  readonly sub: string;
  readonly [claim: string]: unknown;
}

export interface RelyingPartyOptions {
  /** The provider's issuer: `PUBLIC_URL/oidc`. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  /** The scopes of a citizen's login (`openid citizen`). */
  readonly scope: string;
  /** Development mode (a loopback http PUBLIC_URL): openid-client then allows http. */
  readonly allowHttp: boolean;
  /** The Citizen of a login, from its claims (the composition root wires the `citizen` scope's). */
  readonly identify: (claims: LoginClaims) => Promise<Citizen>;
}

/** The relying party over openid-client; discovery is fetched at the first login and kept. */
export function openIdRelyingParty(options: RelyingPartyOptions): RelyingParty {
  let configuration: Promise<client.Configuration> | undefined;
  const config = (): Promise<client.Configuration> => {
    configuration ??= client
      .discovery(
        new URL(options.issuer),
        options.clientId,
        { redirect_uris: [options.redirectUri], response_types: ['code'] },
        client.ClientSecretBasic(options.clientSecret),
        options.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        // Not cached: the next login tries again (the provider may have been starting).
        configuration = undefined;
        throw unreachable(options.issuer, error);
      });
    return configuration;
  };

  return {
    async start(returnTo, login) {
      const codeVerifier = client.randomPKCECodeVerifier();
      const pending: PendingLogin = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier,
        returnTo,
        ...(login?.purpose ? { purpose: login.purpose } : {}),
      };
      const url = client.buildAuthorizationUrl(await config(), {
        redirect_uri: options.redirectUri,
        scope: login?.scope ?? options.scope,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, pending };
    },

    async finish(callbackUrl, pending) {
      const refused = callbackUrl.searchParams.get('error');
      if (refused !== null) {
        // The provider's own refusal (the wallet's answer refused, the user went back): its
        // code is shown; the state must still be this browser's, or it is not our login at all.
        if (callbackUrl.searchParams.get('state') !== pending.state)
          throw new PortalError('login_failed', 'the answer does not belong to this browser’s login');
        const description = callbackUrl.searchParams.get('error_description');
        throw new PortalError(
          'login_refused',
          `the login was refused (${refused}${description ? `: ${description}` : ''})`,
        );
      }
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(await config(), callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        if (networkFailure(error) !== undefined) throw unreachable(options.issuer, error);
        const code =
          (error as { error?: unknown; code?: unknown }).error ?? (error as { code?: unknown }).code;
        throw new PortalError(
          'login_failed',
          `the provider’s answer was not accepted (${String(code ?? 'invalid')})`,
        );
      }
      const claims = tokens.claims();
      if (!claims || typeof tokens.id_token !== 'string')
        throw new PortalError('login_failed', 'the provider answered no ID token');
      const idToken = tokens.id_token;
      return {
        idToken,
        accountId: claims.sub,
        citizen: () => options.identify(claims as LoginClaims),
      };
    },

    async logoutUrl(idToken, postLogoutRedirectUri) {
      const parameters: Record<string, string> = {
        client_id: options.clientId,
        post_logout_redirect_uri: postLogoutRedirectUri,
      };
      if (idToken !== undefined) parameters.id_token_hint = idToken;
      return client.buildEndSessionUrl(await config(), parameters).href;
    },
  };
}

/**
 * The provider could not be reached, or did not answer its discovery document: a fault of the
 * deployment (PUBLIC_URL not reachable from the service itself, or a proxy in the way), said as
 * such rather than as the login's fault or, through the socket error's code, the database's.
 */
function unreachable(issuer: string, error: unknown): PortalError {
  const reason = networkFailure(error) ?? 'no usable discovery document';
  return new PortalError(
    'provider_unreachable',
    `the service could not reach its own OpenID provider at ${issuer} (${reason}); PUBLIC_URL must be reachable from the service itself`,
  );
}

/** Socket and connection failures of node:net, node:dns and undici (not JOSE's `ERR_*` codes). */
const SOCKET_FAILURE =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|UND_ERR_[A-Z_]+)$/;

/** The socket error code (or "fetch failed") when `error` comes from a failed HTTP request. */
function networkFailure(error: unknown): string | undefined {
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && SOCKET_FAILURE.test(e.code)) return e.code;
    if (e.name === 'TypeError' && e.message === 'fetch failed') {
      const cause = e.cause as { code?: unknown } | undefined;
      return typeof cause?.code === 'string' ? cause.code : 'fetch failed';
    }
    e = e.cause as Record<string, unknown> | undefined;
  }
  return undefined;
}
