import { readFileSync } from 'node:fs';
import { agreementsPaths, agreementsResponses, agreementsSchemas } from './agreements-paths.js';
import { components, type Json, object, ok, type Paths, string } from './common.js';
import {
  connectorPaths,
  connectorResponses,
  connectorSchemas,
  connectorSecuritySchemes,
} from './connector-paths.js';
import { consentPaths, consentResponses, consentSchemas } from './consent-paths.js';
import { eventsPaths, eventsSchemas } from './events-paths.js';
import { membershipPaths, membershipSchemas } from './membership-paths.js';
import { oid4vciPaths, oid4vciSchemas } from './oid4vci-paths.js';
import { recordsPaths, recordsSchemas } from './records-paths.js';
import { registryPaths, registrySchemas } from './registry-paths.js';

/** Where the description is served (below the path of PUBLIC_URL, like every route). */
export const OPENAPI_PATH = '/api/v1/openapi.json';

export interface OpenApiOptions {
  /** PUBLIC_URL: the one server; every path is relative to it (its path included). */
  readonly publicUrl: string;
  /** The DID document's route below PUBLIC_URL (`/.well-known/did.json`, or `/did.json` under a path). */
  readonly didDocumentPath: string;
  /** The service's version, shown as `info.version` (default: package.json's). */
  readonly version?: string;
  /** Where connectors get access tokens (`PUBLIC_URL/oidc/token`). */
  readonly tokenUrl: string;
  /** The connector scopes and what each opens (src/oidc/scopes.ts). */
  readonly connectorScopes: Readonly<Record<string, string>>;
}

/** package.json's version (`src/http/openapi` and `dist/http/openapi` are three levels below it). */
function packageVersion(): string {
  const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * Left out on purpose, and why (also said in `info.description`): the OpenID Connect
 * provider at /oidc answers its own discovery document (/oidc/.well-known/openid-configuration)
 * and follows OpenID Connect; the OpenID4VP wallet-login endpoints (/oid4vp/*,
 * /oidc/interaction/*) follow OpenID4VP 1.0 and serve HTML, JWTs and redirects to a browser
 * holding the interaction cookie. Neither is a JSON API a client programs against from here.
 */
/**
 * Paths the document leaves out on purpose: protocol endpoints (their own specifications describe
 * them) and the portal's HTML pages for people (docs/portal.md), which are not an API.
 */
export const UNDESCRIBED_PREFIXES = ['/oidc/', '/oid4vp/', '/oid4vci/', '/portal', '/consents'] as const;

const DESCRIPTION = `The JSON API of the data space trust service: trusted-issuer registry (also as the EBSI Trusted Issuers Registry v4 read API), credential and presentation verification, membership, governance, rulebook, citizens' consent (notices and the connector check), data-sharing agreements (ODRL offers, agreements signed by both parties, their credentials and the connector check), audit log, the event feed and webhook subscriptions, credential schemas, JSON-LD contexts, status lists, the DID document and the health probes.

Errors are RFC 9457 problem details (application/problem+json) with a stable \`code\`. A rate-limited request gets 429 and a database outage 503, both with Retry-After.

Member APIs (security \`connectorToken\`) take an OAuth 2.0 access token of the service's own provider in \`Authorization: Bearer\`: client credentials with \`private_key_jwt\`, the client id being the member's DID (no registration); refusals are 401 \`invalid_token\`, 403 \`insufficient_scope\` or 403 \`member_not_active\`, with a \`WWW-Authenticate\` challenge.

Not described here: the OpenID Connect provider under /oidc (its own discovery document at /oidc/.well-known/openid-configuration describes it, per OpenID Connect Discovery 1.0) and the OpenID4VP wallet-login endpoints (/oid4vp/request/{state}, /oid4vp/response, /oidc/interaction/{uid}[/status|/continue|/callback]), which follow OpenID4VP 1.0 and answer a wallet or the browser of a login in progress (HTML, signed request objects, redirects; errors as OAuth \`{ error, error_description }\`); the OpenID4VCI issuer's protocol endpoints (/oid4vci/par, /oid4vci/authorize[/{id}/status|/{id}/continue], /oid4vci/token, /oid4vci/nonce, /oid4vci/credential, /oid4vci/notification, /oid4vci/offers/{reference}), which its metadata at /.well-known/openid-credential-issuer and /.well-known/oauth-authorization-server describes, per OpenID4VCI 1.0 (errors as OAuth \`{ error, error_description }\`, docs/oid4vci.md); and the portal's HTML pages for people under /portal (with /consents, the citizen's dashboard address printed in receipts, redirecting there), described in docs/portal.md.`;

/** The OpenAPI 3.1 description of every JSON route. */
export function openApiDocument(options: OpenApiOptions): Json {
  const paths: Paths = {
    ...registryPaths,
    ...membershipPaths,
    ...recordsPaths(options.didDocumentPath),
    ...connectorPaths(Object.keys(options.connectorScopes)),
    ...eventsPaths,
    ...consentPaths,
    ...agreementsPaths,
    ...oid4vciPaths,
    [OPENAPI_PATH]: {
      get: {
        operationId: 'getOpenApi',
        tags: ['meta'],
        summary: 'This description.',
        responses: {
          200: ok(
            'OpenAPI 3.1.',
            object({ openapi: string, info: { type: 'object' }, paths: { type: 'object' } }),
          ),
        },
      },
    },
  };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Data Space Trust Service',
      version: options.version ?? packageVersion(),
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: options.publicUrl.replace(/\/+$/, '') }],
    paths,
    components: {
      ...components,
      responses: {
        ...(components.responses as Json),
        ...connectorResponses,
        ...consentResponses,
        ...agreementsResponses,
      },
      securitySchemes: connectorSecuritySchemes(options.tokenUrl, options.connectorScopes),
      schemas: {
        ...(components.schemas as Json),
        ...registrySchemas,
        ...membershipSchemas,
        ...recordsSchemas,
        ...connectorSchemas,
        ...eventsSchemas,
        ...consentSchemas,
        ...agreementsSchemas,
        ...oid4vciSchemas,
      },
    },
  };
}
