import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import getRawBody from 'raw-body';
import typeis from 'type-is';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from './errors.js';
import { jsonDeeperThan, MAX_JSON_DEPTH } from './json-depth.js';
import { refuseNulInBody } from './nul.js';

/**
 * The request body as text, at most `limitBytes`: an oversized body gets 413 before it is
 * parsed and before any crypto (a declared Content-Length over the limit before it is read).
 */
export async function readBodyText(request: IncomingMessage, limitBytes: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
  try {
    return await getRawBody(request, { limit: limitBytes, encoding: 'utf8' });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') throw new PayloadTooLargeError(limitBytes);
    throw new BadRequestError('invalid_body', 'The request body could not be read.');
  }
}

/**
 * The parsed body: JSON (`application/json`, `application/*+json`) or a form
 * (`application/x-www-form-urlencoded`, for protocol endpoints); routes validate the shape. A
 * JSON body nested deeper than MAX_JSON_DEPTH is refused (400 `json_too_deep`) before it is
 * parsed, measured without recursion. A body whose value holds U+0000 anywhere (a key or a
 * string) is refused (400 `invalid_request`, src/http/nul.ts). Any other media type is 415.
 */
export function parseBodyText(request: IncomingMessage, raw: string): unknown {
  if (raw.length === 0) return undefined;
  if (typeis(request, ['application/json', 'application/*+json'])) {
    if (jsonDeeperThan(raw, MAX_JSON_DEPTH)) {
      throw new BadRequestError(
        'json_too_deep',
        `The request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels.`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw) as unknown;
    } catch {
      throw new BadRequestError('invalid_json', 'The request body is not valid JSON.');
    }
    refuseNulInBody(raw, parsed, 'json');
    return parsed;
  }
  if (typeis(request, ['application/x-www-form-urlencoded'])) {
    const parsed = Object.fromEntries(new URLSearchParams(raw));
    refuseNulInBody(raw, parsed, 'form');
    return parsed;
  }
  throw new UnsupportedMediaTypeError('application/json');
}

/**
 * Reads and parses request bodies for POST, PUT and PATCH before any route runs
 * (`ctx.state.rawBody`, `ctx.state.body`), with the limit and refusals above.
 */
export function bodyReader(limitBytes: number) {
  return async function readBody(ctx: Context, next: Next): Promise<void> {
    if (!['POST', 'PUT', 'PATCH'].includes(ctx.method) || ctx.state.skipBodyReader) return next();
    const raw = await readBodyText(ctx.req, limitBytes);
    ctx.state.rawBody = raw;
    ctx.state.body = parseBodyText(ctx.req, raw);
    await next();
  };
}
