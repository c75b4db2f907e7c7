import type { Context, Next } from 'koa';
import getRawBody from 'raw-body';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from './errors.js';
import { jsonDeeperThan, MAX_JSON_DEPTH } from './json-depth.js';

/**
 * Reads and parses request bodies for POST, PUT and PATCH before any route runs, with a hard
 * size limit: an oversized body gets 413 before it is parsed and before any crypto.
 * JSON and form bodies (for protocol endpoints) are accepted; routes validate the shape.
 * A JSON body nested deeper than MAX_JSON_DEPTH is refused (400 `json_too_deep`) before it is
 * parsed, measured without recursion.
 */
export function bodyReader(limitBytes: number) {
  return async function readBody(ctx: Context, next: Next): Promise<void> {
    if (!['POST', 'PUT', 'PATCH'].includes(ctx.method) || ctx.state.skipBodyReader) return next();
    const declared = Number(ctx.get('content-length'));
    if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
    let raw: string;
    try {
      raw = await getRawBody(ctx.req, { limit: limitBytes, encoding: 'utf8' });
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large')
        throw new PayloadTooLargeError(limitBytes);
      throw new BadRequestError('invalid_body', 'The request body could not be read.');
    }
    ctx.state.rawBody = raw;
    if (raw.length === 0) {
      ctx.state.body = undefined;
    } else if (ctx.is('application/json', 'application/*+json')) {
      if (jsonDeeperThan(raw, MAX_JSON_DEPTH)) {
        throw new BadRequestError(
          'json_too_deep',
          `The request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels.`,
        );
      }
      try {
        ctx.state.body = JSON.parse(raw) as unknown;
      } catch {
        throw new BadRequestError('invalid_json', 'The request body is not valid JSON.');
      }
    } else if (ctx.is('application/x-www-form-urlencoded')) {
      ctx.state.body = Object.fromEntries(new URLSearchParams(raw));
    } else {
      throw new UnsupportedMediaTypeError('application/json');
    }
    await next();
  };
}
