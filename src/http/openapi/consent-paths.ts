/**
 * The consent register's JSON routes (src/consent/routes.ts, docs/consent.md): notices, public
 * or published by a signed statement or a connector, and the connector check.
 */
import {
  databaseErrors,
  dateTime,
  errors,
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
  writeErrors,
} from './common.js';
import { connectorSecurity } from './connector-paths.js';

const hash: Json = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const dpvTerms: Json = { type: 'array', items: { type: 'string', pattern: '^(dpv|pd):[A-Z][A-Za-z0-9]*$' } };

const noticeContent: Record<string, Json> = {
  id: { type: 'string', pattern: '^notice-' },
  version: { type: 'integer', minimum: 1 },
  controller: { ...string, description: "The controller's DID (the publishing member)." },
  title: string,
  purposes: { ...dpvTerms, description: 'DPV purposes (dpv:) of the rulebook’s vocabulary.' },
  dataCategories: {
    ...dpvTerms,
    description: 'DPV personal-data categories (pd:) of the rulebook’s vocabulary.',
  },
  recipients: { ...strings, description: 'DIDs of the members the controller passes the data to.' },
  legalBasis: { type: 'string', description: 'A DPV consent type, e.g. dpv:Consent.' },
  retentionDays: { type: 'integer', minimum: 1, description: 'How long a consent lasts.' },
  jurisdiction: { type: 'string', pattern: '^[A-Z]{2}$' },
  language: string,
  text: string,
  rulebookVersion: { ...string, description: 'The rulebook in force when it was published.' },
  publishedAt: dateTime,
};

/** What a member submits (POST bodies and signed statements' `notice`). */
const noticeInput: Json = {
  type: 'object',
  required: [
    'title',
    'purposes',
    'dataCategories',
    'legalBasis',
    'retentionDays',
    'jurisdiction',
    'language',
    'text',
  ],
  additionalProperties: false,
  properties: {
    title: { type: 'string', maxLength: 200 },
    purposes: { ...dpvTerms, minItems: 1, maxItems: 20 },
    dataCategories: { ...dpvTerms, minItems: 1, maxItems: 30 },
    recipients: { ...strings, maxItems: 20 },
    legalBasis: string,
    retentionDays: { type: 'integer', minimum: 1 },
    jurisdiction: { type: 'string', pattern: '^[A-Z]{2}$' },
    language: string,
    text: { type: 'string', maxLength: 10_000 },
  },
};

export const consentSchemas: Record<string, Json> = {
  Notice: object(
    {
      ...noticeContent,
      hash: { ...hash, description: 'SHA-256 of the version’s RFC 8785 canonical JSON (every field above).' },
      publishedVia: { type: 'string', enum: ['statement', 'connector'] },
      versions: {
        type: 'array',
        description: 'Every version, oldest first (GET /api/v1/notices/{id} only).',
        items: object({ version: { type: 'integer', minimum: 1 }, hash, publishedAt: dateTime }),
      },
    },
    ['versions'],
  ),
  NoticeSummary: object({
    ...Object.fromEntries(Object.entries(noticeContent).filter(([name]) => name !== 'text')),
    hash,
  }),
  NoticePage: object(
    {
      items: { type: 'array', items: ref('NoticeSummary') },
      next: { ...string, description: 'The `after` of the next page; absent on the last.' },
    },
    ['next'],
  ),
  NoticeInput: noticeInput,
  ConsentQuestion: {
    type: 'object',
    required: ['subject', 'purpose', 'dataCategory'],
    additionalProperties: false,
    properties: {
      subject: {
        type: 'string',
        pattern: '^[A-Za-z0-9_-]{43}$',
        description: 'The pairwise identifier under which the controller knows the citizen.',
      },
      purpose: { type: 'string', pattern: '^dpv:', description: 'A DPV purpose.' },
      dataCategory: { type: 'string', pattern: '^pd:', description: 'A DPV personal-data category.' },
      recipient: {
        ...string,
        description: 'Who would process the data (a DID); default: the asking member.',
      },
    },
  },
  ConsentAnswer: object(
    {
      permitted: { type: 'boolean' },
      consentId: { ...string, description: 'The consent that permits it (when permitted).' },
      expiresAt: { ...dateTime, description: 'Until when that consent permits it.' },
      reasons: {
        type: 'array',
        description: 'Every failing check of every consent the caller may ask about (empty when permitted).',
        items: object(
          {
            code: {
              type: 'string',
              enum: [
                'no_consent',
                'withdrawn',
                'expired',
                'controller_not_active',
                'purpose_not_covered',
                'category_not_covered',
                'recipient_not_covered',
                'recipient_not_active',
              ],
            },
            consentId: string,
          },
          ['consentId'],
        ),
      },
      checkedAt: dateTime,
    },
    ['consentId', 'expiresAt'],
  ),
};

/**
 * 403 of a consent route: the connector-token middleware's refusals (with a Bearer challenge)
 * or the register's (`not_a_member`, `controller_not_active`, `role_may_not_publish`,
 * `not_notice_controller`, `not_a_party`).
 */
export const consentResponses: Record<string, Json> = {
  ConsentForbidden: {
    description:
      'Refused: by the connector-token middleware (`insufficient_scope`, `member_not_active`, with a `WWW-Authenticate` challenge), or by the register (`not_a_member`, `controller_not_active`, `role_may_not_publish`, `not_notice_controller`, `not_a_party`, or a signed statement’s `forbidden`).',
    headers: {
      'WWW-Authenticate': {
        description: 'The Bearer challenge, for the middleware’s refusals.',
        required: false,
        schema: { type: 'string', pattern: '^Bearer ' },
      },
    },
    content: {
      'application/problem+json': {
        schema: { allOf: [ref('Problem'), { type: 'object', properties: { status: { const: 403 } } }] },
      },
    },
  },
};

const forbidden: Json = { $ref: '#/components/responses/ConsentForbidden' };
const unauthorized: Json = { $ref: '#/components/responses/ConnectorUnauthorized' };

const publishBody = jsonBody({
  oneOf: [
    {
      type: 'object',
      required: ['statement'],
      additionalProperties: false,
      properties: {
        statement: {
          type: 'string',
          description:
            'A compact JWS signed with a key of the controller’s DID (`assertionMethod`): `{ iss, aud: <service DID>, iat, jti, action: "publish-notice", notice, noticeId? }` (`noticeId` on the versions route only). Without a bearer token.',
        },
      },
    },
    {
      type: 'object',
      required: ['notice'],
      additionalProperties: false,
      properties: { notice: ref('NoticeInput') },
      description:
        'With a connector’s bearer token of scope `notices`: the controller is the token’s member.',
    },
  ],
});

const published = {
  201: {
    ...ok('Published: the new version.', ref('Notice')),
    headers: { Location: { required: true, schema: string } },
  },
  200: ok(
    'A retry (same statement jti, or same Idempotency-Key): the version published the first time.',
    ref('Notice'),
  ),
};

const idempotencyKey: Json = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'With a bearer token: a retry with the same key answers the first publication (200).',
  schema: { type: 'string', minLength: 1, maxLength: 200 },
};

export const consentPaths: Paths = {
  '/api/v1/notices': {
    post: {
      operationId: 'publishNotice',
      tags: ['consent'],
      summary: 'Publish a notice (what a member asks citizens to consent to), signed or by its connector.',
      description:
        'Only an active member in a role of the rulebook’s consent.noticePublishers; only the rulebook’s vocabulary; a retention within its maximum. Refusals: docs/consent.md.',
      security: [{}, ...connectorSecurity('notices')],
      parameters: [idempotencyKey],
      requestBody: publishBody,
      responses: {
        ...published,
        ...writeErrors,
        401: unauthorized,
        403: forbidden,
        409: errors[409],
        429: errors[429],
      },
    },
    get: {
      operationId: 'listNotices',
      tags: ['consent'],
      summary: 'Notices, in id order, newest version of each (without its text).',
      parameters: [
        queryParameter('controller', 'Only this controller’s notices (a DID).'),
        queryParameter('limit', 'Page size, 1 to 100 (default 20).', {
          type: 'integer',
          minimum: 1,
          maximum: 100,
        }),
        queryParameter('after', 'The `next` of the previous page.'),
      ],
      responses: { 200: ok('A page of notices.', ref('NoticePage')), 400: errors[400], ...databaseErrors },
    },
  },
  '/api/v1/notices/{id}': {
    get: {
      operationId: 'getNotice',
      tags: ['consent'],
      summary: 'A notice: its latest version and the list of every version.',
      parameters: [pathParameter('id', 'The notice id.')],
      responses: { 200: ok('The latest version.', ref('Notice')), 404: errors[404], ...databaseErrors },
    },
  },
  '/api/v1/notices/{id}/versions': {
    post: {
      operationId: 'publishNoticeVersion',
      tags: ['consent'],
      summary: 'Publish a new version of a notice (its controller only), signed or by its connector.',
      security: [{}, ...connectorSecurity('notices')],
      parameters: [pathParameter('id', 'The notice id.'), idempotencyKey],
      requestBody: publishBody,
      responses: {
        ...published,
        ...writeErrors,
        401: unauthorized,
        403: forbidden,
        404: errors[404],
        409: errors[409],
        429: errors[429],
      },
    },
  },
  '/api/v1/notices/{id}/versions/{version}': {
    get: {
      operationId: 'getNoticeVersion',
      tags: ['consent'],
      summary: 'One version of a notice (never changes).',
      parameters: [
        pathParameter('id', 'The notice id.'),
        pathParameter('version', 'The version number, from 1.'),
      ],
      responses: { 200: ok('The version.', ref('Notice')), 404: errors[404], ...databaseErrors },
    },
  },
  '/api/v1/consents/check': {
    post: {
      operationId: 'checkConsent',
      tags: ['consent'],
      summary: 'May this processing of a citizen’s data happen now? (a member’s connector)',
      description:
        'Read from the database on every call, never cached: a withdrawal or an expiry counts at once. Only about consents the caller controls or is a named recipient of (else 403 `not_a_party`).',
      security: connectorSecurity('consents:check'),
      requestBody: jsonBody(ref('ConsentQuestion')),
      responses: {
        200: ok('The answer; `reasons` lists each failing check.', ref('ConsentAnswer')),
        ...writeErrors,
        401: unauthorized,
        403: forbidden,
      },
    },
  },
};
