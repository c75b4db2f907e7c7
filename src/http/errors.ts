/**
 * The errors that reach HTTP. Management API errors become RFC 9457 problem details with a
 * stable `code`; protocol endpoints (OAuth, OpenID4VP) throw OAuthError and get the RFC 6749
 * `{ error, error_description }` shape. Both are rendered by the one mapper in error-mapper.ts.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }
}

export class BadRequestError extends ProblemError {
  constructor(code: string, detail: string, extensions?: Record<string, unknown>) {
    super(400, code, 'Bad request', detail, extensions);
  }
}

export class NotFoundError extends ProblemError {
  constructor(detail = 'No resource lives at this path.') {
    super(404, 'not_found', 'Not found', detail);
  }
}

export class ConflictError extends ProblemError {
  constructor(code: string, detail: string) {
    super(409, code, 'Conflict', detail);
  }
}

export class PayloadTooLargeError extends ProblemError {
  constructor(limit: number) {
    super(413, 'payload_too_large', 'Payload too large', `The request body exceeds ${limit} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends ProblemError {
  constructor(expected: string) {
    super(415, 'unsupported_media_type', 'Unsupported media type', `The request body must be ${expected}.`);
  }
}

export class ServiceUnavailableError extends ProblemError {
  constructor(detail: string) {
    super(503, 'service_unavailable', 'Service unavailable', detail);
  }
}

/** The database failed or timed out: the caller should retry (with `Retry-After`), the request was not at fault. */
export class DatabaseUnavailableError extends ProblemError {
  constructor(readonly retryAfterSeconds = 5) {
    super(
      503,
      'database_unavailable',
      'Service unavailable',
      'The database is unavailable or did not answer in time; retry later.',
    );
  }
}

/**
 * The database did not confirm a COMMIT that was sent (CommitOutcomeUnknownError): the write may
 * or may not have been applied. A 503 with Retry-After like an outage, with its own code so that a
 * caller reads the resource before it repeats a write that is not idempotent.
 */
export class CommitOutcomeUnknownProblem extends ProblemError {
  readonly retryAfterSeconds = 5;
  constructor() {
    super(
      503,
      'commit_outcome_unknown',
      'Service unavailable',
      'The database did not confirm the write in time: it may or may not have been applied. Read before you retry a write that is not idempotent.',
    );
  }
}

export class MethodNotAllowedError extends ProblemError {
  constructor(detail = 'This resource does not allow the request method; see the Allow header.') {
    super(405, 'method_not_allowed', 'Method not allowed', detail);
  }
}

export class NotImplementedError extends ProblemError {
  constructor() {
    super(501, 'not_implemented', 'Not implemented', 'The service does not implement this request method.');
  }
}

/** RFC 6749 §5.2 error for protocol endpoints. `error` is the registered code. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly errorDescription: string,
  ) {
    super(errorDescription);
    this.name = 'OAuthError';
  }
}
