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

/** Membership (challenges, applications, the member registry) and governance (board, motions, votes). */
export const membershipSchemas: Record<string, Json> = {
  Member: object({
    did: string,
    legalName: string,
    country: string,
    roles: strings,
    sides: strings,
    status: { type: 'string', enum: ['active', 'suspended', 'revoked', 'withdrawn'] },
    memberSince: string,
    rulebookVersion: string,
  }),
  Vote: object(
    {
      voter: string,
      decision: { type: 'string', enum: ['approve', 'reject'] },
      reason: string,
      castAt: dateTime,
      statement: {
        type: 'string',
        description:
          'The signed vote, verbatim: a compact JWS, or for a vote signed through the wallet the JWT VP whose transaction_data_hashes hold the SHA-256 of transactionData.',
      },
      transactionData: {
        type: 'string',
        description:
          'For a vote signed through the wallet: the OpenID4VP transaction_data item (base64url JSON) the presentation signs.',
      },
    },
    ['reason', 'transactionData'],
  ),
  Motion: object(
    {
      id: string,
      kind: string,
      subject: string,
      reason: string,
      status: { type: 'string', enum: ['open', 'approved', 'rejected'] },
      openedBy: string,
      openedAt: dateTime,
      closesAt: dateTime,
      rulebookVersion: string,
      decidedAt: dateTime,
      outcomeReason: string,
      tally: object({ approvals: { type: 'integer' }, rejections: { type: 'integer' } }),
      votes: { type: 'array', items: ref('Vote') },
      openingStatement: {
        type: 'string',
        description:
          'The signed statement that opened the motion, verbatim: a compact JWS, or for a motion opened through the wallet the JWT VP whose transaction_data_hashes hold the SHA-256 of openingTransactionData. None for admissions.',
      },
      openingTransactionData: {
        type: 'string',
        description:
          'For a motion opened through the wallet: the OpenID4VP transaction_data item (base64url JSON, type dataspace_motion) the opening presentation signs.',
      },
    },
    ['decidedAt', 'outcomeReason', 'openingStatement', 'openingTransactionData'],
  ),
  Application: object(
    {
      id: string,
      applicant: string,
      legalName: string,
      roles: strings,
      status: { type: 'string', enum: ['under_review', 'action_required', 'approved', 'rejected'] },
      motionId: { type: ['string', 'null'] },
      submittedAt: dateTime,
      decidedAt: dateTime,
      checks: {
        type: 'array',
        items: object(
          {
            check: string,
            result: { type: 'string', enum: ['passed', 'failed'] },
            code: string,
            detail: string,
          },
          ['code', 'detail'],
        ),
      },
      reasons: strings,
      motion: ref('Motion'),
    },
    ['decidedAt', 'reasons', 'motion'],
  ),
  BoardMember: object(
    {
      did: string,
      name: string,
      affiliations: strings,
      status: { type: 'string', enum: ['active', 'removed'] },
      since: string,
      credentialId: string,
    },
    ['credentialId'],
  ),
};

const jws = (description: string): Json => ({ type: 'string', minLength: 1, description });
const signedWrite = {
  ...writeErrors,
  403: errors[403],
  404: errors[404],
  409: errors[409],
  422: errors[422],
};
const id = pathParameter('id', 'The id.');
const memberDid = pathParameter('did', "The member's DID, percent-encoded as one path segment.");

export const membershipPaths: Paths = {
  '/api/v1/membership/challenge': {
    get: {
      operationId: 'issueChallenge',
      tags: ['membership'],
      summary: 'A one-time challenge (nonce) and the audience for an application presentation.',
      responses: {
        200: ok('A fresh challenge.', object({ challenge: string, expiresAt: dateTime, audience: string })),
        429: errors[429],
        ...databaseErrors,
      },
    },
  },
  '/api/v1/membership/applications': {
    post: {
      operationId: 'submitApplication',
      tags: ['membership'],
      summary: 'Apply for membership with a presentation signed by the applicant DID.',
      requestBody: jsonBody(
        object({ presentation: jws('A vp+jwt / jwt_vp_json presentation bound to a challenge.') }),
      ),
      responses: {
        201: ok('The application, as recorded.', ref('Application')),
        429: errors[429],
        ...signedWrite,
      },
    },
  },
  '/api/v1/membership/applications/{id}': {
    get: {
      operationId: 'getApplication',
      tags: ['membership'],
      summary: 'An application and its checks.',
      parameters: [id],
      responses: { 200: ok('The application.', ref('Application')), 404: errors[404], ...databaseErrors },
    },
  },
  '/api/v1/membership/applications/{id}/credential': {
    post: {
      operationId: 'collectMembershipCredential',
      tags: ['membership'],
      summary: 'Collect the MembershipCredential of an approved application, proving control of its DID.',
      parameters: [id],
      requestBody: jsonBody(object({ presentation: jws('A presentation by the applicant DID.') })),
      responses: {
        200: ok('The credential (compact JWS) and its id.', object({ credential: string, id: string })),
        429: errors[429],
        ...signedWrite,
      },
    },
  },
  '/api/v1/members': {
    get: {
      operationId: 'listMembers',
      tags: ['membership'],
      summary: 'The member registry, filtered and by pages.',
      parameters: [
        queryParameter(
          'role',
          'Only members with this role (a role of the rulebook in force; else 400 `invalid_filter`).',
        ),
        queryParameter(
          'side',
          'Only members on this side: `supply` or `demand` (else 400 `invalid_filter`).',
        ),
        queryParameter(
          'status',
          'Only members in this status: `active`, `suspended`, `revoked` or `withdrawn` (else 400 `invalid_filter`).',
        ),
        queryParameter('after', 'The `next` of the previous page (a DID).'),
        queryParameter('limit', 'Page size.', { type: 'integer', minimum: 1 }),
      ],
      responses: {
        200: ok(
          'One page.',
          object({ items: { type: 'array', items: ref('Member') }, next: string }, ['next']),
        ),
        400: errors[400],
        ...databaseErrors,
      },
    },
  },
  '/api/v1/members/{did}': {
    get: {
      operationId: 'getMember',
      tags: ['membership'],
      summary: 'One member.',
      parameters: [memberDid],
      responses: {
        200: ok('The member.', ref('Member')),
        400: errors[400],
        404: errors[404],
        ...databaseErrors,
      },
    },
  },
  '/api/v1/members/{did}/withdrawal': {
    post: {
      operationId: 'withdrawMember',
      tags: ['membership'],
      summary: "A member withdraws, by a statement signed with its DID's key.",
      parameters: [memberDid],
      requestBody: jsonBody(
        object({ withdrawal: jws('`{ iss, aud, action: "withdraw", iat, jti }` signed by the member.') }),
      ),
      responses: { 200: ok('The member, now withdrawn.', ref('Member')), 429: errors[429], ...signedWrite },
    },
  },
  '/api/v1/board': {
    get: {
      operationId: 'listBoard',
      tags: ['governance'],
      summary: 'The active board members.',
      responses: {
        200: ok('The board.', object({ items: { type: 'array', items: ref('BoardMember') } })),
        ...databaseErrors,
      },
    },
  },
  '/api/v1/motions': {
    get: {
      operationId: 'listMotions',
      tags: ['governance'],
      summary: 'Motions, optionally by status.',
      parameters: [
        queryParameter('status', 'open, approved or rejected.', {
          type: 'string',
          enum: ['open', 'approved', 'rejected'],
        }),
      ],
      responses: {
        200: ok('The motions.', object({ items: { type: 'array', items: ref('Motion') } })),
        400: errors[400],
        ...databaseErrors,
      },
    },
    post: {
      operationId: 'openMotion',
      tags: ['governance'],
      summary: 'A board member opens a motion by a signed statement.',
      requestBody: jsonBody(object({ motion: jws('The motion statement signed by a board member.') })),
      responses: { 201: ok('The motion.', ref('Motion')), ...signedWrite },
    },
  },
  '/api/v1/motions/{id}': {
    get: {
      operationId: 'getMotion',
      tags: ['governance'],
      summary: 'One motion with its votes.',
      parameters: [id],
      responses: { 200: ok('The motion.', ref('Motion')), 404: errors[404], ...databaseErrors },
    },
  },
  '/api/v1/motions/{id}/votes': {
    post: {
      operationId: 'castVote',
      tags: ['governance'],
      summary: 'A board member votes by a signed statement; the decision is taken once.',
      parameters: [id],
      requestBody: jsonBody(object({ vote: jws('The vote statement signed by a board member.') })),
      responses: { 201: ok('The motion after the vote.', ref('Motion')), ...signedWrite },
    },
  },
};
