import {
  databaseErrors,
  errors,
  integer,
  type Json,
  object,
  ok,
  type Paths,
  pathParameter,
  queryParameter,
  ref,
  string,
  strings,
} from './common.js';

/** The trusted-issuer registry (ours and the EBSI TIR v4 view), schemas, contexts, status lists. */
export const registrySchemas: Record<string, Json> = {
  TrustedIssuer: object(
    {
      did: { type: 'string', description: 'The issuer DID (absent for an https issuer).' },
      issuer: {
        type: 'string',
        description: 'Instead of did: an SD-JWT VC issuer named by an https URL (trust anchors only).',
      },
      name: string,
      source: { type: 'string', enum: ['service', 'anchor', 'member'] },
      credentialTypes: strings,
      claims: { type: 'array', items: { type: 'object' } },
      validity: {
        type: 'object',
        properties: {
          from: { type: 'string', format: 'date-time' },
          until: { type: 'string', format: 'date-time' },
        },
      },
      description: string,
      homepage: string,
    },
    ['did', 'issuer', 'description', 'homepage'],
  ),
  EbsiIssuer: object({
    did: string,
    attributes: {
      type: 'array',
      items: object({
        hash: string,
        body: { type: 'string', contentEncoding: 'base64' },
        issuerType: { type: 'string', enum: ['RootTAO', 'TAO', 'TI', 'Revoked'] },
        tao: string,
        rootTao: string,
      }),
    },
  }),
};

const uri: Json = { type: 'string', format: 'uri' };
/** EBSI's page links keep `page[after]` unencoded, as EBSI does: not RFC 3986 `uri`, so only their scheme is checked. */
const link: Json = { type: 'string', pattern: '^https?://' };
const did = pathParameter('did', 'A DID, percent-encoded as one path segment.');
const issuerId = pathParameter('did', 'A DID, or an https issuer, percent-encoded as one path segment.');
const trustErrors = { 400: errors[400], 404: errors[404], ...databaseErrors };

export const registryPaths: Paths = {
  '/api/v1/trusted-issuers': {
    get: {
      operationId: 'listTrustedIssuers',
      tags: ['trust'],
      summary: 'Trusted issuers with their source, credential types and window, by pages.',
      parameters: [
        queryParameter('limit', 'Page size, 1 to 1000 (default 100).', {
          type: 'integer',
          minimum: 1,
          maximum: 1000,
        }),
        queryParameter('after', 'The `next` of the previous page (a DID).'),
      ],
      responses: {
        200: ok(
          'One page.',
          object({ items: { type: 'array', items: ref('TrustedIssuer') }, total: integer, next: string }, [
            'next',
          ]),
        ),
        400: errors[400],
        ...databaseErrors,
      },
    },
  },
  '/api/v1/trusted-issuers/{did}': {
    get: {
      operationId: 'getTrustedIssuer',
      tags: ['trust'],
      summary: 'One trusted issuer.',
      parameters: [issuerId],
      responses: { 200: ok('The entry.', ref('TrustedIssuer')), ...trustErrors },
    },
  },
  '/v4/issuers': {
    get: {
      operationId: 'listEbsiIssuers',
      tags: ['trust'],
      summary: 'EBSI Trusted Issuers Registry v4: the issuers trusted now, by 1-based pages.',
      parameters: [
        queryParameter('page[size]', 'Page size, 1 to 100 (default 10).', {
          type: 'integer',
          minimum: 1,
          maximum: 100,
        }),
        queryParameter('page[after]', 'The 1-based page number (default 1).', {
          type: 'integer',
          minimum: 1,
        }),
      ],
      responses: {
        200: ok(
          'One page, EBSI style.',
          object({
            self: link,
            items: { type: 'array', items: object({ did: string, href: uri }) },
            total: integer,
            pageSize: integer,
            links: object({ first: link, prev: link, next: link, last: link }),
          }),
        ),
        400: errors[400],
        ...databaseErrors,
      },
    },
  },
  '/v4/issuers/{did}': {
    get: {
      operationId: 'getEbsiIssuer',
      tags: ['trust'],
      summary: 'One issuer trusted now, with its attributes (base64 trusted-issuer credentials).',
      parameters: [did],
      responses: { 200: ok('The issuer.', ref('EbsiIssuer')), ...trustErrors },
    },
  },
  '/api/v1/schemas': {
    get: {
      operationId: 'listSchemas',
      tags: ['schemas'],
      summary: 'The credential JSON Schemas this service publishes.',
      responses: {
        200: ok(
          'Every schema.',
          object({
            items: {
              type: 'array',
              items: object({
                type: string,
                version: string,
                id: uri,
                url: uri,
                latest: { type: 'boolean' },
              }),
            },
            total: integer,
          }),
        ),
        default: errors.default,
      },
    },
  },
  '/api/v1/schemas/{type}/{version}': {
    get: {
      operationId: 'getSchema',
      tags: ['schemas'],
      summary: 'One credential JSON Schema (2020-12).',
      parameters: [pathParameter('type', 'Credential type.'), pathParameter('version', 'Schema version.')],
      responses: {
        200: ok(
          'The schema, as published in credential-schemas/.',
          object({ $schema: { const: 'https://json-schema.org/draft/2020-12/schema' }, $id: uri }),
          'application/schema+json',
        ),
        404: errors[404],
        default: errors.default,
      },
    },
  },
  '/contexts/{name}/{version}': {
    get: {
      operationId: 'getContext',
      tags: ['schemas'],
      summary: 'A JSON-LD context of the data space, as named in credentials.',
      parameters: [pathParameter('name', 'Context name.'), pathParameter('version', 'Context version.')],
      responses: {
        200: ok('The context.', object({ '@context': { type: 'object' } }), 'application/ld+json'),
        404: errors[404],
        default: errors.default,
      },
    },
  },
  '/status/{listId}': {
    get: {
      operationId: 'getStatusList',
      tags: ['credentials'],
      summary: 'A BitstringStatusListCredential as a compact JWS; 304 on a matching If-None-Match.',
      parameters: [pathParameter('listId', 'Status list id ([A-Za-z0-9_-]{1,64}).')],
      responses: {
        200: ok(
          'The signed list.',
          { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
          'application/vc+jwt',
        ),
        304: { description: 'Not modified.' },
        404: errors[404],
        ...databaseErrors,
      },
    },
  },
  '/status-lists/{listId}': {
    get: {
      operationId: 'getTokenStatusList',
      tags: ['credentials'],
      summary:
        'A Token Status List (SD-JWT VCs) as its signed Status List Token; 304 on a matching If-None-Match.',
      parameters: [pathParameter('listId', 'Token status list id ([A-Za-z0-9_-]{1,64}).')],
      responses: {
        200: ok(
          'The signed Status List Token (typ statuslist+jwt).',
          { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
          'application/statuslist+jwt',
        ),
        304: { description: 'Not modified.' },
        404: errors[404],
        ...databaseErrors,
      },
    },
  },
  '/vct/{name}': {
    get: {
      operationId: 'getCredentialTypeMetadata',
      tags: ['schemas'],
      summary: 'SD-JWT VC type metadata of a vct this service publishes (e.g. /vct/membership).',
      parameters: [pathParameter('name', 'The vct name ([a-z0-9-]).')],
      responses: {
        200: ok(
          'The type metadata.',
          object(
            {
              vct: { type: 'string' },
              name: { type: 'string' },
              description: { type: 'string' },
              display: { type: 'array', items: { type: 'object' } },
              claims: { type: 'array', items: { type: 'object' } },
            },
            ['description'],
          ),
          'application/json',
        ),
        404: errors[404],
        default: errors.default,
      },
    },
  },
};
