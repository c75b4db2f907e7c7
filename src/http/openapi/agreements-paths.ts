/**
 * The agreement register's JSON routes (src/agreements/routes.ts, docs/agreements.md): offers,
 * public or published by a signed statement or a connector; agreements proposed by connectors,
 * signed and terminated by statements of the parties; their credentials; the connector check.
 */
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
  writeErrors,
} from './common.js';
import { connectorSecurity } from './connector-paths.js';

const hash: Json = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const odrl: Json = {
  type: 'object',
  description:
    'An ODRL 2.2 policy in compact JSON-LD, of the profile in docs/agreements-policy.md (anything outside it is refused with `unsupported_policy_term` naming the term).',
};
const statuses = ['proposed', 'active', 'suspended', 'terminated', 'expired'];
const statementBody = (what: string): Json =>
  jsonBody({
    type: 'object',
    required: ['statement'],
    additionalProperties: false,
    properties: { statement: { type: 'string', description: what } },
  });

export const agreementsSchemas: Record<string, Json> = {
  Offer: object(
    {
      id: { type: 'string', pattern: '^offer-' },
      version: { type: 'integer', minimum: 1 },
      provider: { ...string, description: 'The provider’s DID (the ODRL assigner).' },
      target: { ...string, description: 'The IRI of the dataset or service offered.' },
      policy: { ...odrl, description: 'The ODRL Offer, normalised, as hashed.' },
      hash: { ...hash, description: 'SHA-256 of the policy’s RFC 8785 canonical JSON.' },
      publishedAt: dateTime,
      publishedVia: { type: 'string', enum: ['statement', 'connector'] },
      versions: {
        type: 'array',
        description:
          'The latest 20 versions, oldest first (GET /api/v1/offers/{id} only; GET /api/v1/offers/{id}/versions pages through all).',
        items: object({ version: { type: 'integer', minimum: 1 }, hash, publishedAt: dateTime }),
      },
    },
    ['versions'],
  ),
  OfferVersionPage: object(
    {
      items: {
        type: 'array',
        items: object({ version: { type: 'integer', minimum: 1 }, hash, publishedAt: dateTime }),
      },
      next: { type: 'integer', description: 'The `after` of the next page; absent on the last.' },
    },
    ['next'],
  ),
  OfferPage: object(
    {
      items: { type: 'array', items: ref('Offer') },
      next: { ...string, description: 'The `after` of the next page; absent on the last.' },
    },
    ['next'],
  ),
  Agreement: object(
    {
      id: { type: 'string', pattern: '^agreement-' },
      origin: { type: 'string', enum: ['offer', 'registered'] },
      status: { type: 'string', enum: statuses },
      statusAt: dateTime,
      provider: string,
      consumer: string,
      target: string,
      terms: {
        type: 'object',
        description:
          'What both parties sign: `{ type: "DataSharingAgreement", service, id, provider, consumer, target, offer, policy, endsAt }` (docs/agreements.md "What is signed").',
      },
      hash: { ...hash, description: 'SHA-256 of the terms’ RFC 8785 canonical JSON.' },
      proposedBy: string,
      proposedAt: dateTime,
      activatedAt: dateTime,
      endsAt: dateTime,
      signed: object({ provider: { type: 'boolean' }, consumer: { type: 'boolean' } }),
      suspendedParties: strings,
      uses: integer,
      endedBy: string,
      endReason: string,
    },
    ['activatedAt', 'endsAt', 'endedBy', 'endReason'],
  ),
  AgreementPage: object({ items: { type: 'array', items: ref('Agreement') }, next: string }, ['next']),
  AgreementProposal: {
    oneOf: [
      {
        type: 'object',
        required: ['offer', 'version'],
        additionalProperties: false,
        description: 'The consumer accepts the latest version of an offer, as it stands or narrowed.',
        properties: {
          offer: string,
          version: { type: 'integer', minimum: 1 },
          policy: {
            ...odrl,
            description: 'A narrowed ODRL Agreement within the offer (default: the offer’s terms).',
          },
          endsAt: dateTime,
        },
      },
      {
        type: 'object',
        required: ['agreement'],
        additionalProperties: false,
        description: 'Either party registers an ODRL Agreement concluded elsewhere (Dataspace Protocol).',
        properties: {
          agreement: {
            ...odrl,
            description: 'An ODRL Agreement with policy-level `assigner` and `assignee` DIDs.',
          },
          endsAt: dateTime,
        },
      },
    ],
  },
  AgreementQuestion: {
    type: 'object',
    required: ['action'],
    additionalProperties: false,
    properties: {
      agreement: { ...string, description: 'The agreement asked about; or name provider and target.' },
      provider: string,
      consumer: { ...string, description: 'Default: the asking member.' },
      target: string,
      action: { ...string, description: 'An ODRL action (`use`, `read`, `distribute`, ...).' },
      purpose: { ...string, description: 'A DPV purpose (`dpv:ServiceProvision`).' },
      spatial: { ...string, description: 'A place code (NUTS, LAU, ISO 3166).' },
      recipient: { ...string, description: 'The member the data goes to (a DID).' },
      at: { ...dateTime, description: 'When the exchange happens (default: now); not with `record`.' },
      record: { type: 'boolean', description: 'Count this exchange as one use when permitted (atomic).' },
    },
  },
  AgreementAnswer: object(
    {
      permitted: { type: 'boolean' },
      code: { ...string, description: 'The first reason (when not permitted).' },
      agreementId: string,
      checks: {
        type: 'array',
        items: object(
          {
            check: {
              type: 'string',
              enum: ['exists', 'parties', 'active', 'expiry', 'membership', 'policy'],
            },
            result: { type: 'string', enum: ['passed', 'failed'] },
            code: string,
            reasons: { ...strings, description: 'Every reason of a failed policy check, `code` first.' },
            decision: { ...string, description: 'The evaluator’s own code of a failed policy check.' },
            rules: {
              type: 'array',
              items: { type: 'object' },
              description: 'The policy evaluation’s rule results.',
            },
            duties: { type: 'array', items: { type: 'object' } },
          },
          ['code', 'reasons', 'decision', 'rules', 'duties'],
        ),
      },
      reasons: {
        ...strings,
        description:
          'Why not (empty when permitted): `no_agreement`, `not_active`, `expired`, `party_not_active`, `prohibited`, `action_not_permitted`, `constraint_failed:<leftOperand>`, `count_exhausted`.',
      },
      duties: {
        type: 'array',
        items: { type: 'object' },
        description: 'ODRL duties the consumer must perform.',
      },
      uses: { ...integer, description: 'Uses recorded, this one included (with `record`).' },
      checkedAt: dateTime,
      replayed: {
        type: 'boolean',
        description:
          'True when this is the kept answer of a recorded check retried with the same Idempotency-Key.',
      },
    },
    ['code', 'agreementId', 'uses', 'replayed'],
  ),
  AgreementCredential: object({
    credential: { ...string, description: 'The party’s DataSharingAgreementCredential (jwt_vc_json).' },
  }),
};

const unauthorized: Json = { $ref: '#/components/responses/ConnectorUnauthorized' };
const forbidden: Json = { $ref: '#/components/responses/AgreementForbidden' };

export const agreementsResponses: Record<string, Json> = {
  AgreementForbidden: {
    description:
      'Refused: by the connector-token middleware (`insufficient_scope`, `member_not_active`, with a `WWW-Authenticate` challenge), or by the register (`not_a_member`, `member_not_active`, `role_not_allowed`, `not_offer_provider`, `not_a_party`).',
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

const idempotencyKey: Json = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'With a bearer token: a retry with the same key answers the first request (200).',
  schema: { type: 'string', minLength: 1, maxLength: 200 },
};

const offerBody = jsonBody({
  oneOf: [
    {
      type: 'object',
      required: ['statement'],
      additionalProperties: false,
      properties: {
        statement: {
          type: 'string',
          description:
            'A compact JWS signed with a key of the provider’s DID (`assertionMethod`): `{ iss, aud: <service DID>, iat, jti, action: "publish-offer", policy, offerId? }` (`offerId` on the versions route only). Without a bearer token.',
        },
      },
    },
    {
      type: 'object',
      required: ['policy'],
      additionalProperties: false,
      properties: { policy: odrl },
      description:
        'With a connector’s bearer token of scope `agreements`: the provider is the token’s member.',
    },
  ],
});

const publishedOffer = {
  201: {
    ...ok('Published: the new version.', ref('Offer')),
    headers: { Location: { required: true, schema: string } },
  },
  200: ok(
    'A retry (same statement jti, or same Idempotency-Key): the version published the first time.',
    ref('Offer'),
  ),
};

const id = pathParameter('id', 'The agreement id.');

export const agreementsPaths: Paths = {
  '/api/v1/offers': {
    post: {
      operationId: 'publishOffer',
      tags: ['agreements'],
      summary: 'Publish an ODRL Offer for a target (a provider member), signed or by its connector.',
      description:
        'Only an active member holding a role on the supply side of the rulebook. Refusals: docs/agreements.md.',
      security: [{}, ...connectorSecurity('agreements')],
      parameters: [idempotencyKey],
      requestBody: offerBody,
      responses: {
        ...publishedOffer,
        ...writeErrors,
        401: unauthorized,
        403: forbidden,
        409: errors[409],
        429: errors[429],
      },
    },
    get: {
      operationId: 'listOffers',
      tags: ['agreements'],
      summary: 'Offers, in id order, latest version of each.',
      parameters: [
        queryParameter('provider', 'Only this provider’s offers (a DID).'),
        queryParameter('target', 'Only offers of this target (an IRI).'),
        queryParameter('limit', 'Page size, 1 to 100 (default 20).', {
          type: 'integer',
          minimum: 1,
          maximum: 100,
        }),
        queryParameter('after', 'The `next` of the previous page.'),
      ],
      responses: { 200: ok('A page of offers.', ref('OfferPage')), 400: errors[400], ...databaseErrors },
    },
  },
  '/api/v1/offers/{id}': {
    get: {
      operationId: 'getOffer',
      tags: ['agreements'],
      summary: 'An offer: its latest version and the list of every version.',
      parameters: [pathParameter('id', 'The offer id.')],
      responses: { 200: ok('The latest version.', ref('Offer')), 404: errors[404], ...databaseErrors },
    },
  },
  '/api/v1/offers/{id}/versions': {
    get: {
      operationId: 'listOfferVersions',
      tags: ['agreements'],
      summary: 'An offer’s versions, oldest first, a page at a time.',
      parameters: [
        pathParameter('id', 'The offer id.'),
        queryParameter('limit', 'Page size, 1 to 100 (default 20).', {
          type: 'integer',
          minimum: 1,
          maximum: 100,
        }),
        queryParameter('after', 'The `next` of the previous page (a version number).', {
          type: 'integer',
          minimum: 0,
        }),
      ],
      responses: {
        200: ok('A page of versions.', ref('OfferVersionPage')),
        400: errors[400],
        404: errors[404],
        ...databaseErrors,
      },
    },
    post: {
      operationId: 'publishOfferVersion',
      tags: ['agreements'],
      summary: 'Publish a new version of an offer (its provider only; the same target).',
      security: [{}, ...connectorSecurity('agreements')],
      parameters: [pathParameter('id', 'The offer id.'), idempotencyKey],
      requestBody: offerBody,
      responses: {
        ...publishedOffer,
        ...writeErrors,
        401: unauthorized,
        403: forbidden,
        404: errors[404],
        409: errors[409],
        429: errors[429],
      },
    },
  },
  '/api/v1/offers/{id}/versions/{version}': {
    get: {
      operationId: 'getOfferVersion',
      tags: ['agreements'],
      summary: 'One version of an offer (never changes).',
      parameters: [
        pathParameter('id', 'The offer id.'),
        pathParameter('version', 'The version number, from 1.'),
      ],
      responses: { 200: ok('The version.', ref('Offer')), 404: errors[404], ...databaseErrors },
    },
  },
  '/api/v1/agreements': {
    post: {
      operationId: 'proposeAgreement',
      tags: ['agreements'],
      summary:
        'Accept an offer (the consumer), possibly narrowed, or register an agreement concluded elsewhere.',
      description:
        'The agreement is `proposed` until both parties have signed its hash (POST .../signatures).',
      security: connectorSecurity('agreements'),
      parameters: [idempotencyKey],
      requestBody: jsonBody(ref('AgreementProposal')),
      responses: {
        201: {
          ...ok('Proposed.', ref('Agreement')),
          headers: { Location: { required: true, schema: string } },
        },
        200: ok('A retry with the same Idempotency-Key: the first proposal.', ref('Agreement')),
        ...writeErrors,
        401: unauthorized,
        403: forbidden,
        404: errors[404],
        409: errors[409],
      },
    },
    get: {
      operationId: 'listAgreements',
      tags: ['agreements'],
      summary: 'The calling member’s agreements (as provider or consumer), in id order.',
      security: connectorSecurity('agreements'),
      parameters: [
        queryParameter('status', 'Only agreements in this state.', { type: 'string', enum: statuses }),
        queryParameter('limit', 'Page size, 1 to 100 (default 20).', {
          type: 'integer',
          minimum: 1,
          maximum: 100,
        }),
        queryParameter('after', 'The `next` of the previous page.'),
      ],
      responses: {
        200: ok('A page.', ref('AgreementPage')),
        400: errors[400],
        401: unauthorized,
        403: forbidden,
        ...databaseErrors,
      },
    },
  },
  '/api/v1/agreements/check': {
    post: {
      operationId: 'checkAgreement',
      tags: ['agreements'],
      summary: 'Is this exchange covered by our agreement, now? (a party’s connector)',
      description:
        'Read from the database on every call, never cached: a suspension counts at once. Only a party asks (else 403 `not_a_party`). With `record: true` a permitted answer counts one use, atomically.',
      security: connectorSecurity('agreements'),
      parameters: [
        {
          ...idempotencyKey,
          description:
            'With `record: true`: a retry with the same key (same question) answers the kept answer (`replayed: true`) and counts no second use; another question under the key is refused with 409 `idempotency_conflict`.',
        },
      ],
      requestBody: jsonBody(ref('AgreementQuestion')),
      responses: {
        200: ok('The answer, naming every check.', ref('AgreementAnswer')),
        ...writeErrors,
        401: unauthorized,
        403: forbidden,
        409: errors[409],
      },
    },
  },
  '/api/v1/agreements/{id}': {
    get: {
      operationId: 'getAgreement',
      tags: ['agreements'],
      summary: 'An agreement (its parties only).',
      security: connectorSecurity('agreements'),
      parameters: [id],
      responses: {
        200: ok('The agreement.', ref('Agreement')),
        401: unauthorized,
        403: forbidden,
        404: errors[404],
        ...databaseErrors,
      },
    },
  },
  '/api/v1/agreements/{id}/credential': {
    get: {
      operationId: 'getAgreementCredential',
      tags: ['agreements'],
      summary: 'The calling party’s DataSharingAgreementCredential (with its status entries).',
      security: connectorSecurity('agreements'),
      parameters: [id],
      responses: {
        200: ok('The credential.', ref('AgreementCredential')),
        401: unauthorized,
        403: forbidden,
        404: errors[404],
        409: errors[409],
        ...databaseErrors,
      },
    },
  },
  '/api/v1/agreements/{id}/signatures': {
    post: {
      operationId: 'signAgreement',
      tags: ['agreements'],
      summary: 'A party signs the agreement’s hash; the second signature activates it.',
      requestBody: statementBody(
        'A compact JWS signed with a key of the party’s DID (`assertionMethod`): `{ iss, aud: <service DID>, iat, jti, action: "sign-agreement", agreement, hash }`.',
      ),
      parameters: [id],
      responses: {
        200: ok('The agreement after the signature.', ref('Agreement')),
        ...writeErrors,
        403: forbidden,
        404: errors[404],
        409: errors[409],
      },
    },
  },
  '/api/v1/agreements/{id}/termination': {
    post: {
      operationId: 'terminateAgreement',
      tags: ['agreements'],
      summary: 'A party terminates the agreement, with a reason.',
      requestBody: statementBody(
        'A compact JWS signed with a key of the party’s DID: `{ iss, aud: <service DID>, iat, jti, action: "terminate-agreement", agreement, hash, reason }`.',
      ),
      parameters: [id],
      responses: {
        200: ok('The terminated agreement.', ref('Agreement')),
        ...writeErrors,
        403: forbidden,
        404: errors[404],
        409: errors[409],
      },
    },
  },
};
