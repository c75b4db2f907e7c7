import {
  databaseErrors,
  dateTime,
  errors,
  integer,
  type Json,
  jsonBody,
  object,
  ok,
  type Paths,
  pathParameter,
  queryParameter,
  ref,
  string,
  strings,
} from './common.js';

/** Verification, the audit log, the rulebook, the DID document and the health probes. */
export const recordsSchemas: Record<string, Json> = {
  Check: object(
    {
      check: string,
      result: { type: 'string', enum: ['passed', 'failed', 'skipped'] },
      code: string,
      detail: string,
    },
    ['code', 'detail'],
  ),
  CredentialVerification: object(
    {
      verified: { type: 'boolean' },
      format: { type: 'string', enum: ['jwt_vc_json', 'vc+jwt', 'dc+sd-jwt'] },
      issuer: string,
      subject: string,
      types: strings,
      id: string,
      vct: string,
      claims: { type: 'object', description: 'SD-JWT VC: the claims after disclosure.' },
      checks: { type: 'array', items: ref('Check') },
    },
    ['format', 'issuer', 'subject', 'types', 'id', 'vct', 'claims'],
  ),
  PresentationVerification: object(
    {
      verified: { type: 'boolean' },
      format: { type: 'string', enum: ['jwt_vp_json', 'vp+jwt', 'dc+sd-jwt'] },
      holder: string,
      checks: { type: 'array', items: ref('Check') },
      credentials: { type: 'array', items: ref('CredentialVerification') },
    },
    ['format', 'holder'],
  ),
  AuditEntry: object({
    sequence: { type: 'integer', minimum: 1 },
    at: dateTime,
    kind: string,
    actor: string,
    subject: { type: ['string', 'null'] },
    data: {},
    prevHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  }),
  Checkpoint: object(
    {
      size: integer,
      headHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      at: dateTime,
      signature: {
        type: 'string',
        description: 'Compact JWS (typ audit-checkpoint+jwt) by the service DID.',
      },
      consistent: {
        type: 'boolean',
        description: 'Stored checkpoints only: the columns match the signed payload.',
      },
    },
    ['consistent'],
  ),
  RulebookVersion: object({
    version: string,
    hash: string,
    adoptedAt: dateTime,
    adoptedBy: string,
    current: { type: 'boolean' },
  }),
  Readiness: object({
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    checks: object({
      database: { type: 'string', enum: ['up', 'down'] },
      shutdown: { type: 'string', enum: ['no', 'in_progress'] },
    }),
  }),
  AdoptedRulebook: {
    allOf: [ref('RulebookVersion'), object({ rulebook: { type: 'object' } })],
  },
};

const page = [
  queryParameter('after', 'Entries after this position (default 0).', { type: 'integer', minimum: 0 }),
  queryParameter('limit', 'Page size, 1 to 500 (default 100).', {
    type: 'integer',
    minimum: 1,
    maximum: 500,
  }),
];
const nextPage = (items: Json): Json => object({ items, next: { type: ['integer', 'null'] } });
const verifyErrors = { 400: errors[400], 413: errors[413], 415: errors[415], default: errors.default };

/** The paths; the DID document's path depends on PUBLIC_URL (`/.well-known/did.json` or `/did.json`). */
export function recordsPaths(didDocumentPath: string): Paths {
  return {
    '/api/v1/credentials/verify': {
      post: {
        operationId: 'verifyCredential',
        tags: ['credentials'],
        summary: 'Verify a credential: 200 with every check, verified or not.',
        requestBody: jsonBody(
          object({
            credential: {
              type: 'string',
              minLength: 1,
              description: 'A JWT credential, or an SD-JWT VC (dc+sd-jwt) without key binding.',
            },
          }),
        ),
        responses: {
          200: ok('The verification result.', ref('CredentialVerification')),
          ...verifyErrors,
          503: errors[503],
        },
      },
    },
    '/api/v1/presentations/verify': {
      post: {
        operationId: 'verifyPresentation',
        tags: ['credentials'],
        summary: 'Verify a presentation bound to a challenge and domain, with each credential in it.',
        requestBody: jsonBody(
          object({
            presentation: { type: 'string', minLength: 1 },
            challenge: { type: 'string', minLength: 1, maxLength: 512 },
            domain: { type: 'string', minLength: 1, maxLength: 512 },
          }),
        ),
        responses: {
          200: ok('The verification result.', ref('PresentationVerification')),
          ...verifyErrors,
          503: errors[503],
        },
      },
    },
    '/api/v1/audit': {
      get: {
        operationId: 'listAuditEntries',
        tags: ['audit'],
        summary: 'The hash-chained audit log in sequence order, by pages.',
        parameters: page,
        responses: {
          200: ok(
            'One page; `next` is the `after` of the next page, null at the end.',
            nextPage({ type: 'array', items: ref('AuditEntry') }),
          ),
          400: errors[400],
          ...databaseErrors,
        },
      },
    },
    '/api/v1/audit/checkpoints': {
      get: {
        operationId: 'listAuditCheckpoints',
        tags: ['audit'],
        summary: 'The stored signed checkpoints by size, by pages.',
        parameters: page,
        responses: {
          200: ok('One page.', nextPage({ type: 'array', items: ref('Checkpoint') })),
          400: errors[400],
          ...databaseErrors,
        },
      },
    },
    '/api/v1/audit/checkpoint': {
      get: {
        operationId: 'signAuditCheckpoint',
        tags: ['audit'],
        summary: 'A fresh checkpoint of the log signed by the service DID.',
        responses: { 200: ok('The checkpoint.', ref('Checkpoint')), 429: errors[429], ...databaseErrors },
      },
    },
    '/api/v1/rulebook': {
      get: {
        operationId: 'getRulebook',
        tags: ['rulebook'],
        summary: 'The rulebook in force (its hash is the ETag).',
        responses: { 200: ok('The rulebook.', ref('AdoptedRulebook')), 404: errors[404], ...databaseErrors },
      },
    },
    '/api/v1/rulebook/versions': {
      get: {
        operationId: 'listRulebookVersions',
        tags: ['rulebook'],
        summary: 'Every adopted version, oldest first.',
        responses: {
          200: ok(
            'The versions.',
            object({ items: { type: 'array', items: ref('RulebookVersion') }, total: integer }),
          ),
          ...databaseErrors,
        },
      },
    },
    '/api/v1/rulebook/versions/{version}': {
      get: {
        operationId: 'getRulebookVersion',
        tags: ['rulebook'],
        summary: 'One adopted version.',
        parameters: [pathParameter('version', 'The version number.')],
        responses: { 200: ok('The version.', ref('AdoptedRulebook')), 404: errors[404], ...databaseErrors },
      },
    },
    [didDocumentPath]: {
      get: {
        operationId: 'getDidDocument',
        tags: ['identity'],
        summary: "The service's did:web DID document.",
        responses: {
          200: ok(
            'The DID document.',
            object({
              '@context': {},
              id: { type: 'string', pattern: '^did:web:' },
              verificationMethod: { type: 'array' },
            }),
            'application/did+ld+json',
          ),
          ...databaseErrors,
        },
      },
    },
    '/health/live': {
      get: {
        operationId: 'live',
        tags: ['health'],
        summary: 'Liveness (also answered outside the path of PUBLIC_URL).',
        responses: { 200: ok('Live.', object({ status: { const: 'live' } })) },
      },
    },
    '/health/ready': {
      get: {
        operationId: 'ready',
        tags: ['health'],
        summary:
          'Readiness: the database answers and no shutdown has begun (also outside the path of PUBLIC_URL).',
        responses: {
          200: ok('Ready.', ref('Readiness')),
          503: ok('Not ready: database down or shutting down.', ref('Readiness')),
        },
      },
    },
  };
}
