/**
 * The connector-token middleware: the one gate of every member API (consent notices, the
 * consent check, events, agreements). A member's connector sends an OAuth 2.0 access token of
 * the service's own provider (client credentials, `private_key_jwt` with the member's DID key)
 * as `Authorization: Bearer <token>` (RFC 6750 §2.1; the form-body and query forms are not
 * accepted). The middleware, in this order:
 *
 * 1. takes the bearer token and has the verifier check it locally (a JWT access token, RFC 9068:
 *    signature by a key the service publishes, `typ`, `iss`, `aud`, `exp`, `client_id` = `sub`);
 *    any failure is 401 `invalid_token`;
 * 2. checks the route's scope against the token's: 403 `insufficient_scope` (no database read);
 * 3. reads the member's registry status *now*: 403 `member_not_active` unless `active`. A token
 *    lives up to ten minutes and is never stored, so it can outlive a suspension; this read is
 *    what ends it at once, on every replica.
 *
 * Refusals are problem+json (RFC 9457, stable `code`) with a `WWW-Authenticate: Bearer`
 * challenge (RFC 6750 §3); `member_not_active` is carried in the challenge's `error` as an
 * extension code (RFC 6749 §8.5). It knows nothing of oidc-provider or of the member registry:
 * both arrive as ports, wired once by the composition root.
 */
import type Koa from 'koa';
import { ProblemError } from './errors.js';

/** What a protected route finds in `ctx.state.connector` once the middleware let it through. */
export interface AuthenticatedConnector {
  /** The member's DID (the token's `sub`). */
  readonly did: string;
  /** The OAuth client (`client_id`): the member's DID as well. */
  readonly clientId: string;
  /** The scopes the token carries. */
  readonly scopes: readonly string[];
  /** The token's `jti`. */
  readonly tokenId: string;
}

/** What the verifier found in a valid access token. */
export interface VerifiedAccessToken {
  /** `client_id`, equal to `sub`: the member's DID. */
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly tokenId: string;
  readonly expiresAt: Date;
}

/** The verifier's answer: it never throws for a bad token, only for its own failures (an outage). */
export type AccessTokenVerification =
  | { readonly valid: true; readonly token: VerifiedAccessToken }
  | { readonly valid: false; readonly reason: string };

/** Checks access tokens locally (implemented by src/oidc). */
export interface AccessTokenVerifier {
  verify(token: string): Promise<AccessTokenVerification>;
}

/** A member as the middleware and the connector routes need it. */
export interface ConnectorMember {
  /** `active`, or why not: `suspended`, `revoked`, `withdrawn`. */
  readonly status: string;
  readonly roles: readonly string[];
  /** The registered legal name. */
  readonly name: string;
}

/** The member registry, read on every protected request (implemented by the composition root). */
export interface ConnectorMembers {
  /** The member with this DID, whatever its status, or undefined: one primary-key read. */
  find(did: string): Promise<ConnectorMember | undefined>;
}

/** What the middleware leaves beside `ctx.state.connector` (for routes that need more). */
export interface ConnectorSession {
  readonly expiresAt: Date;
  /** The registry's answer of this request (the member is active). */
  readonly member: ConnectorMember;
}

/** A scope the route needs, or a list of which any one suffices. */
export type ScopeRequirement = string | { readonly anyOf: readonly string[] };

/** Builds the middleware for one route: `router.get(path, requireConnector('events'), handler)`. */
export type RequireConnector = (scope: ScopeRequirement) => Koa.Middleware;

export interface ConnectorAuthOptions {
  readonly verifier: AccessTokenVerifier;
  readonly members: ConnectorMembers;
  /** The `realm` of the challenge (default `dataspace-trust`). */
  readonly realm?: string;
}

export type ConnectorAuthCode = 'invalid_token' | 'insufficient_scope' | 'member_not_active';

/** A refused connector request; `challenge` is its `WWW-Authenticate` value (set by the error mapper). */
export class ConnectorAuthError extends ProblemError {
  constructor(
    status: 401 | 403,
    code: ConnectorAuthCode,
    detail: string,
    readonly challenge: string,
  ) {
    super(status, code, status === 401 ? 'Unauthorized' : 'Forbidden', detail);
    this.name = 'ConnectorAuthError';
  }
}

/** The longest bearer token looked at; the service's own are about 700 characters. */
export const MAX_TOKEN_LENGTH = 8192;

// RFC 6750 §2.1 b64token, after the scheme and one or more spaces.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** A quoted-string value of the challenge: RFC 6750 §3 allows %x20-21 / %x23-5B / %x5D-7E only. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, ' ')}"`;
}

/** The `ctx.state.connector` of a request the middleware let through; throws on a route it does not guard. */
export function connectorOf(ctx: Koa.Context): AuthenticatedConnector {
  const connector = ctx.state.connector as AuthenticatedConnector | undefined;
  if (!connector) throw new Error('this route is not guarded by requireConnector');
  return connector;
}

/** The `ctx.state.connectorSession` of a request the middleware let through. */
export function connectorSessionOf(ctx: Koa.Context): ConnectorSession {
  const session = ctx.state.connectorSession as ConnectorSession | undefined;
  if (!session) throw new Error('this route is not guarded by requireConnector');
  return session;
}

function hasScope(granted: readonly string[], scope: ScopeRequirement): boolean {
  return typeof scope === 'string'
    ? granted.includes(scope)
    : scope.anyOf.some((candidate) => granted.includes(candidate));
}

/** What a gate lets through: the connector and its session. */
export interface ConnectorGrant {
  readonly connector: AuthenticatedConnector;
  readonly session: ConnectorSession;
}

/** One route's check of the `Authorization` header ('' when absent); throws ConnectorAuthError. */
export type ConnectorGate = (authorization: string) => Promise<ConnectorGrant>;

/** The connector authentication, built once by the composition root. */
export interface ConnectorAuthenticator {
  /** The check for routes that need `scope` (koa's middleware and the connector lane use it). */
  gate(scope: ScopeRequirement): ConnectorGate;
  /** The koa middleware for routes that need `scope`. */
  readonly require: RequireConnector;
}

/**
 * The factory the composition root calls once; every capability's routes get the result and
 * call it per route with the scope that route needs.
 */
export function connectorAuth(options: ConnectorAuthOptions): RequireConnector {
  return connectorAuthenticator(options).require;
}

export function connectorAuthenticator(options: ConnectorAuthOptions): ConnectorAuthenticator {
  const realm = `realm=${quoted(options.realm ?? 'dataspace-trust')}`;
  const refuse = (
    status: 401 | 403,
    code: ConnectorAuthCode,
    detail: string,
    extra: string[] = [],
  ): ConnectorAuthError =>
    new ConnectorAuthError(
      status,
      code,
      detail,
      [
        'Bearer',
        [realm, `error=${quoted(code)}`, `error_description=${quoted(detail)}`, ...extra].join(', '),
      ].join(' '),
    );

  const gate = (scope: ScopeRequirement): ConnectorGate => {
    const required = typeof scope === 'string' ? [scope] : [...scope.anyOf];
    if (required.length === 0 || required.some((name) => name.length === 0 || /[\s"\\]/.test(name))) {
      throw new TypeError('requireConnector needs at least one scope token');
    }
    const scopeHint = `scope=${quoted(required.join(' '))}`;
    return async function checkConnector(header) {
      if (header === '') {
        // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
        throw new ConnectorAuthError(
          401,
          'invalid_token',
          'this route needs a connector access token: Authorization: Bearer <token>',
          `Bearer ${realm}, ${scopeHint}`,
        );
      }
      const match = header.length <= MAX_TOKEN_LENGTH + 16 ? BEARER.exec(header) : null;
      if (!match) throw refuse(401, 'invalid_token', 'the Authorization header is not "Bearer <token>"');
      const verification = await options.verifier.verify(match[1] as string);
      if (!verification.valid) throw refuse(401, 'invalid_token', verification.reason);
      const { token } = verification;
      if (!hasScope(token.scopes, scope)) {
        throw refuse(
          403,
          'insufficient_scope',
          typeof scope === 'string'
            ? `this route needs the scope ${scope}`
            : `this route needs one of the scopes ${required.join(', ')}`,
          [scopeHint],
        );
      }
      // Asked on every request: a suspension, revocation or withdrawal must stop this member's
      // connectors at once on every replica. The port answers from a copy only while member
      // changes are announced to this replica (src/membership/member-cache.ts), else reads.
      const member = await options.members.find(token.clientId);
      if (member?.status !== 'active') {
        throw refuse(
          403,
          'member_not_active',
          member ? `the member is ${member.status}, not active` : 'no member has this DID',
        );
      }
      return {
        connector: Object.freeze({
          did: token.clientId,
          clientId: token.clientId,
          scopes: Object.freeze([...token.scopes]),
          tokenId: token.tokenId,
        }) satisfies AuthenticatedConnector,
        session: Object.freeze({ expiresAt: token.expiresAt, member }) satisfies ConnectorSession,
      };
    };
  };

  return {
    gate,
    require: (scope) => {
      const check = gate(scope);
      return async function requireConnector(ctx, next) {
        // Answers about one member's data: never stored by a cache on the way.
        ctx.set('Cache-Control', 'no-store');
        const { connector, session } = await check(ctx.get('Authorization'));
        ctx.state.connector = connector;
        ctx.state.connectorSession = session;
        await next();
      };
    },
  };
}
