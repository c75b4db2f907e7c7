import type { Context } from 'koa';
import { BadRequestError } from './errors.js';

/** A parsed body as a JSON object, or a 400 `invalid_request` problem. */
export function jsonObjectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError('invalid_request', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

/** The request's parsed JSON body as an object, or a 400 `invalid_request` problem. */
export function requestBody(ctx: Context): Record<string, unknown> {
  return jsonObjectBody(ctx.state.body as unknown);
}
