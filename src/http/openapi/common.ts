/**
 * Building blocks of the OpenAPI description: the problem+json error shape (RFC 9457 with our
 * stable `code`), the shared error answers and small helpers, so each capability's paths stay short.
 */

/** A JSON Schema (2020-12) or an OpenAPI object: plain JSON, checked by the tests with ajv. */
export type Json = { readonly [key: string]: unknown };

/** The OpenAPI paths of one capability: path template → method → operation. */
export type Paths = Record<string, Record<string, Json>>;

export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (name: string): Json => ({ $ref: `#/components/responses/${name}` });

export const string: Json = { type: 'string' };
export const dateTime: Json = { type: 'string', format: 'date-time' };
export const strings: Json = { type: 'array', items: string };
export const integer: Json = { type: 'integer', minimum: 0 };

/** An object schema whose listed properties are all required unless named in `optional`. */
export function object(properties: Record<string, Json>, optional: readonly string[] = []): Json {
  return {
    type: 'object',
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    properties,
  };
}

/** A 2xx answer with a JSON body of `schema` in `mediaType`. */
export function ok(description: string, schema: Json, mediaType = 'application/json'): Json {
  return { description, content: { [mediaType]: { schema } } };
}

export function pathParameter(name: string, description: string): Json {
  return { name, in: 'path', required: true, description, schema: { type: 'string', minLength: 1 } };
}

export function queryParameter(name: string, description: string, schema: Json = string): Json {
  return { name, in: 'query', required: false, description, schema };
}

/** A JSON request body with the schema. */
export function jsonBody(schema: Json): Json {
  return { required: true, content: { 'application/json': { schema } } };
}

/** The error answers by status; each operation lists the ones it can give. */
export const errors = {
  400: responseRef('BadRequest'),
  403: responseRef('Forbidden'),
  404: responseRef('NotFound'),
  409: responseRef('Conflict'),
  413: responseRef('PayloadTooLarge'),
  415: responseRef('UnsupportedMediaType'),
  422: responseRef('Unprocessable'),
  429: responseRef('TooManyRequests'),
  503: responseRef('ServiceUnavailable'),
  default: responseRef('Error'),
} as const;

/** Every route that reads the database may answer 503 during an outage, and 500 on a bug. */
export const databaseErrors = { 503: errors[503], default: errors.default };

/** What a JSON write can answer before its handler runs (body reader) or when its body is wrong. */
export const writeErrors = { 400: errors[400], 413: errors[413], 415: errors[415], ...databaseErrors };

const problemSchema: Json = {
  type: 'object',
  description:
    'RFC 9457 problem details. `code` is the stable machine-readable reason (also the last part of `type`); `instance` names the request id of the log line.',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', pattern: '^urn:dataspace-trust:problem:[a-z0-9_]+$' },
    title: string,
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', pattern: '^[a-z0-9_]+$' },
    detail: string,
    instance: { type: 'string', pattern: '^urn:request:' },
  },
};

function problemResponse(description: string, status?: number, headers?: Json): Json {
  const schema =
    status === undefined
      ? ref('Problem')
      : { allOf: [ref('Problem'), { type: 'object', properties: { status: { const: status } } }] };
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { 'application/problem+json': { schema } },
  };
}

const retryAfter: Json = {
  'Retry-After': {
    description: 'Seconds to wait before retrying (RFC 9110 §10.2.3).',
    required: true,
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
};

export const components: Json = {
  schemas: { Problem: problemSchema },
  responses: {
    BadRequest: problemResponse(
      'The request is malformed: `code` says how (e.g. `invalid_json`, `invalid_request`, `invalid_did`, `invalid_limit`).',
      400,
    ),
    Forbidden: problemResponse(
      'The signed statement is valid but its signer may not do this; `code` says why.',
      403,
    ),
    NotFound: problemResponse('Nothing lives here (`code: not_found`).', 404),
    Conflict: problemResponse('The request conflicts with the current state; `code` says which.', 409),
    PayloadTooLarge: problemResponse('The body exceeds BODY_LIMIT_BYTES (`payload_too_large`).', 413),
    UnsupportedMediaType: problemResponse(
      'The body is not application/json (`unsupported_media_type`).',
      415,
    ),
    Unprocessable: problemResponse('The request is well-formed but refused; `code` says why.', 422),
    TooManyRequests: problemResponse(
      'Rate limited (`rate_limited`); retry after the given seconds.',
      429,
      retryAfter,
    ),
    ServiceUnavailable: problemResponse(
      'The database is unavailable or too slow (`database_unavailable`); retry after the given seconds. `commit_outcome_unknown`: a write was sent to the database for commit but not confirmed, so it may or may not have been applied: read before repeating a write that is not idempotent.',
      503,
      retryAfter,
    ),
    Error: problemResponse(
      'Any other error as a problem, e.g. 401/403 refusals of a signed statement or 500 `internal_error`.',
    ),
  },
};
