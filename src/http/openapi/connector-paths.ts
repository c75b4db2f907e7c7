/**
 * The OpenAPI description of connector authentication: the `connectorToken` security scheme
 * (OAuth 2.0 client credentials at the service's own provider), the 401/403 answers of the
 * connector-token middleware with their `WWW-Authenticate` challenge, and the routes of
 * src/http/connector-routes.ts. Member API routes of other capabilities describe themselves
 * with `connectorSecurity(scope)` and `connectorErrors`.
 */
import { type Json, object, ok, type Paths, ref, string, strings } from './common.js';

/** The name of the security scheme in `components.securitySchemes`. */
export const CONNECTOR_SECURITY_SCHEME = 'connectorToken';

/**
 * The `security` of an operation that needs `scope`, or any one of several scopes (each
 * requirement object is an alternative, OpenAPI 3.1 §4.8.30).
 */
export function connectorSecurity(...anyOf: readonly string[]): Json[] {
  return anyOf.map((scope) => ({ [CONNECTOR_SECURITY_SCHEME]: [scope] }));
}

const responseRef = (name: string): Json => ({ $ref: `#/components/responses/${name}` });

/** The refusals of the connector-token middleware, for every protected operation's `responses`. */
export const connectorErrors = {
  401: responseRef('ConnectorUnauthorized'),
  403: responseRef('ConnectorForbidden'),
} as const;

const challenge: Json = {
  'WWW-Authenticate': {
    description:
      'The Bearer challenge of RFC 6750 §3: `realm`, and `error` (`invalid_token`, `insufficient_scope`, `member_not_active`) with `error_description`, or only `realm` and `scope` when no token was sent.',
    required: true,
    schema: { type: 'string', pattern: '^Bearer ' },
  },
};

function refusal(description: string, status: 401 | 403, codes: readonly string[]): Json {
  return {
    description,
    headers: challenge,
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            ref('Problem'),
            { type: 'object', properties: { status: { const: status }, code: { enum: [...codes] } } },
          ],
        },
      },
    },
  };
}

export const connectorResponses: Record<string, Json> = {
  ConnectorUnauthorized: refusal(
    'No access token, or one that is not valid here (`invalid_token`): expired, not signed by a key the service publishes, for another audience, not a connector token (a login token, an ID token).',
    401,
    ['invalid_token'],
  ),
  ConnectorForbidden: refusal(
    'The token lacks the scope this route needs (`insufficient_scope`), or its member is not active now (`member_not_active`: suspended, revoked or withdrawn after the token was issued).',
    403,
    ['insufficient_scope', 'member_not_active'],
  ),
};

/** The `connectorToken` scheme: client credentials at the service's token endpoint, with the connector scopes. */
export function connectorSecuritySchemes(tokenUrl: string, scopes: Readonly<Record<string, string>>): Json {
  return {
    [CONNECTOR_SECURITY_SCHEME]: {
      type: 'oauth2',
      description:
        "An access token of the service's own OpenID Connect provider for a member's connector: client credentials grant, client_id = the member's DID, client authentication `private_key_jwt` signed with a key of the DID document's `authentication` (ES256 or EdDSA; assertion `aud` = the issuer, `PUBLIC_URL/oidc`). No registration and no secret. The token is a JWT (RFC 9068) for `PUBLIC_URL/api`, valid 10 minutes; see docs/connectors.md.",
      flows: { clientCredentials: { tokenUrl, scopes: { ...scopes } } },
    },
  };
}

export const connectorSchemas: Record<string, Json> = {
  ConnectorMe: object({
    did: { ...string, description: "The member's DID (the token's `sub`)." },
    clientId: { ...string, description: 'The OAuth client: the same DID.' },
    scopes: { ...strings, description: 'The scopes the token carries.' },
    member: object({
      status: { type: 'string', const: 'active' },
      roles: strings,
      name: { ...string, description: 'The registered legal name.' },
    }),
    expiresAt: { type: 'string', format: 'date-time', description: 'When the token expires.' },
  }),
  RedirectUris: object({
    redirectUris: {
      type: 'array',
      maxItems: 10,
      items: { type: 'string', format: 'uri', maxLength: 500 },
      description:
        "The redirect URIs of the member's app, compared exactly: https (http in development mode), no fragment, canonical form.",
    },
  }),
};

/** The connector routes; `scopes` are the connector scope names (any one opens them). */
export function connectorPaths(scopes: readonly string[]): Paths {
  return {
    '/api/v1/connectors/me': {
      get: {
        operationId: 'getConnectorMe',
        tags: ['connectors'],
        summary: 'The authenticated connector: its DID, scopes, member status and token expiry.',
        description:
          "For a connector's developer to test a set-up end to end before calling the member APIs. Any connector scope opens it.",
        security: connectorSecurity(...scopes),
        responses: {
          200: ok('The connector as the service sees it.', ref('ConnectorMe')),
          ...connectorErrors,
          503: { $ref: '#/components/responses/ServiceUnavailable' },
          default: { $ref: '#/components/responses/Error' },
        },
      },
    },
    '/api/v1/connectors/me/redirect-uris': {
      get: {
        operationId: 'getRedirectUris',
        tags: ['connectors'],
        summary: "The redirect URIs of the member's app.",
        security: connectorSecurity('notices'),
        responses: {
          200: ok('The registered redirect URIs.', ref('RedirectUris')),
          ...connectorErrors,
          503: { $ref: '#/components/responses/ServiceUnavailable' },
          default: { $ref: '#/components/responses/Error' },
        },
      },
      put: {
        operationId: 'putRedirectUris',
        tags: ['connectors'],
        summary:
          "Replace the redirect URIs of the member's app (where citizens return after giving consent).",
        description:
          "With at least one, the member's DID client may use the authorization code flow (PKCE, `private_key_jwt`) with scope `openid citizen` and `authorization_details` of type `dataspace_consent` (docs/consent.md). An empty list ends that. Refusals: `invalid_request` (not a list, more than 10), `invalid_redirect_uri` (not https outside development mode, a fragment, user info, not canonical, a duplicate). Audited.",
        security: connectorSecurity('notices'),
        requestBody: { required: true, content: { 'application/json': { schema: ref('RedirectUris') } } },
        responses: {
          200: ok('The redirect URIs now registered.', ref('RedirectUris')),
          400: { $ref: '#/components/responses/BadRequest' },
          ...connectorErrors,
          413: { $ref: '#/components/responses/PayloadTooLarge' },
          415: { $ref: '#/components/responses/UnsupportedMediaType' },
          503: { $ref: '#/components/responses/ServiceUnavailable' },
          default: { $ref: '#/components/responses/Error' },
        },
      },
    },
  };
}
