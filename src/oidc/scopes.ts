/**
 * The scopes of the OpenID Connect provider, in two families that never mix:
 *
 * - Login scopes, for relying parties (authorization code flow): each credential scope asks the
 *   wallet for a credential type. `openid` alone asks for any credential from a trusted issuer
 *   identifying the person or organisation (see src/oid4vp/dcql.ts).
 * - Connector scopes, for members' connectors (client credentials, `private_key_jwt` with the
 *   member's DID key): each one opens a family of member APIs. Only member clients (a DID as
 *   `client_id`) may have them, and they are only ever granted in a JWT access token for the
 *   service's API (`PUBLIC_URL/api`), never in a login.
 */
export const CREDENTIAL_SCOPES = {
  membership: 'MembershipCredential',
  board: 'BoardMemberCredential',
} as const satisfies Readonly<Record<string, string>>;

export type CredentialScope = keyof typeof CREDENTIAL_SCOPES;

/**
 * The natural-person login scope: the wallet is asked for the credential the rulebook's
 * `consent.naturalPersons` names (type, required claims, issuers), e.g. an EU PID. It releases
 * no claim but `sub`; members' apps use it to have a citizen give consent (docs/consent.md).
 */
export const CITIZEN_SCOPE = 'citizen';

/** The login scopes a relying party may be registered for. */
export const SUPPORTED_SCOPES = [
  'openid',
  'offline_access',
  ...Object.keys(CREDENTIAL_SCOPES),
  CITIZEN_SCOPE,
] as const;

export function isCredentialScope(scope: string): scope is CredentialScope {
  return Object.hasOwn(CREDENTIAL_SCOPES, scope);
}

/**
 * The connector scopes and what each lets a member's connector do (documented in
 * docs/connectors.md and in the OpenAPI security scheme). A route states the scope it needs;
 * what a member may do inside it (say, which roles may publish notices) is the capability's
 * rule, checked by the route.
 */
export const CONNECTOR_SCOPES = {
  notices: "publish and manage the member's consent notices",
  'consents:check': 'ask whether a consent permits a processing (the consent check)',
  events: 'manage event subscriptions and read the event feed',
  agreements: 'publish offers, propose, sign and terminate agreements, and ask the agreement check',
} as const satisfies Readonly<Record<string, string>>;

export type ConnectorScope = keyof typeof CONNECTOR_SCOPES;

/** Every connector scope, in a stable order. */
export const CONNECTOR_SCOPE_NAMES: readonly ConnectorScope[] = Object.freeze(
  Object.keys(CONNECTOR_SCOPES) as ConnectorScope[],
);

export function isConnectorScope(scope: string): scope is ConnectorScope {
  return Object.hasOwn(CONNECTOR_SCOPES, scope);
}
