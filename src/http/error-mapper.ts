import type { Context, Next } from 'koa';
import { isCommitOutcomeUnknown, isDatabaseUnavailable, isUnstorableCharacter } from '../db/index.js';
import type { Logger } from '../log/logger.js';
import {
  BadRequestError,
  CommitOutcomeUnknownProblem,
  DatabaseUnavailableError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  OAuthError,
  ProblemError,
} from './errors.js';

export const PROBLEM_TYPE_PREFIX = 'urn:dataspace-trust:problem:';

/** The `Content-Type` of a problem (RFC 9457 §3). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** The `Content-Type` of a JSON answer, as koa writes it for an object body. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** How an error is answered: the same for koa's routes and for the connector lane (src/http/lane). */
export interface ErrorAnswer {
  readonly status: number;
  /** The stable code (problem `code`, or the OAuth `error`): labels the error metrics. */
  readonly code: string;
  /** `Retry-After`, `WWW-Authenticate` and `Cache-Control`, where the error calls for them. */
  readonly headers: readonly (readonly [string, string])[];
  readonly contentType: string;
  readonly body: string;
}

/**
 * The one place errors become answers. Known errors keep their status and code; anything else
 * is a 500 whose body says nothing about internals (the cause goes to the log with the request
 * id). A database outage is a 503 with Retry-After, and is reported (`onDatabaseUnavailable`)
 * so that the next requests fail fast. A value PostgreSQL cannot store (a NUL character, SQLSTATE
 * 22021 or 22P05) is the request's fault: 400 `invalid_request`.
 */
export function errorAnswer(
  caught: unknown,
  requestId: string | undefined,
  logger: Logger,
  onDatabaseUnavailable: () => void,
): ErrorAnswer {
  let error = caught;
  if (!(error instanceof ProblemError) && !(error instanceof OAuthError) && isDatabaseUnavailable(error)) {
    // An outage, not a bug: 503 with Retry-After, so callers and load balancers can tell.
    logger.warn({ err: error, requestId }, 'database unavailable');
    onDatabaseUnavailable();
    error = isCommitOutcomeUnknown(error)
      ? new CommitOutcomeUnknownProblem()
      : new DatabaseUnavailableError();
  } else if (
    !(error instanceof ProblemError) &&
    !(error instanceof OAuthError) &&
    isUnstorableCharacter(error)
  ) {
    // The edge refuses NUL (src/http/nul.ts): one that got past it is logged, and still the
    // client's fault, not a 500.
    logger.warn({ err: error, requestId }, 'the database refused a character of the request');
    error = new BadRequestError(
      'invalid_request',
      'The request holds a character that cannot be stored (NUL characters, U+0000, are not accepted).',
    );
  }
  const headers: [string, string][] = [];
  // An outage or a rate-limit refusal says when to come back (RFC 9110 §10.2.3).
  const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof retryAfter === 'number') headers.push(['Retry-After', String(retryAfter)]);
  // A refused bearer token says how to authenticate (RFC 6750 §3).
  const challenge = (error as { challenge?: unknown }).challenge;
  if (error instanceof ProblemError && typeof challenge === 'string')
    headers.push(['WWW-Authenticate', challenge]);
  if (error instanceof OAuthError) {
    headers.push(['Cache-Control', 'no-store']);
    return {
      status: error.status,
      code: error.error,
      headers,
      contentType: JSON_CONTENT_TYPE,
      body: JSON.stringify({ error: error.error, error_description: error.errorDescription }),
    };
  }
  const problem = error instanceof ProblemError ? error : internalError(error, logger, requestId);
  return {
    status: problem.status,
    code: problem.code,
    headers,
    contentType: PROBLEM_CONTENT_TYPE,
    body: JSON.stringify({
      type: `${PROBLEM_TYPE_PREFIX}${problem.code}`,
      title: problem.title,
      status: problem.status,
      code: problem.code,
      ...(problem.detail ? { detail: problem.detail } : {}),
      ...problem.extensions,
      ...(requestId ? { instance: `urn:request:${requestId}` } : {}),
    }),
  };
}

/**
 * koa's error middleware: every error below it is answered by `errorAnswer`. Unmatched routes
 * become a 404 problem; the router's bodiless 405 and 501 become problems too.
 */
export function errorMapper(logger: Logger, onDatabaseUnavailable: () => void = () => {}) {
  return async function mapErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.body === undefined) {
        if (ctx.status === 404) throw new NotFoundError();
        // The router answered 405 (or 501 for a method it does not know) with an `Allow` header
        // and no body: the same problem+json as every other error, the header kept.
        if (ctx.status === 405) throw new MethodNotAllowedError();
        if (ctx.status === 501) throw new NotImplementedError();
      }
    } catch (caught) {
      const answer = errorAnswer(
        caught,
        ctx.state.requestId as string | undefined,
        logger,
        onDatabaseUnavailable,
      );
      for (const [name, value] of answer.headers) ctx.set(name, value);
      ctx.status = answer.status;
      ctx.state.errorCode = answer.code;
      ctx.type = answer.contentType;
      ctx.body = answer.body;
    }
  };
}

function internalError(error: unknown, logger: Logger, requestId: string | undefined): ProblemError {
  const status = (error as { status?: number; expose?: boolean }).status;
  // koa's own http-errors (e.g. from ctx.throw in a library) with a client status are safe to expose.
  if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: boolean }).expose) {
    return new ProblemError(status, 'invalid_request', 'Bad request', (error as Error).message);
  }
  logger.error({ err: error, requestId }, 'unhandled error');
  return new ProblemError(
    500,
    'internal_error',
    'Internal server error',
    'The request failed; see the service log.',
  );
}
