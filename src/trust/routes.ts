import Router from '@koa/router';
import type { Context } from 'koa';
import { didFromPathSegment } from '../http/did-path.js';
import { BadRequestError, NotFoundError } from '../http/errors.js';
import { isDid } from './did-syntax.js';
import { ebsiIssuer, ebsiIssuerPage, lastPage } from './ebsi-tir.js';
import { isHttpsIssuer, isHttpsIssuerId } from './https-issuer.js';
import { type TrustRegistry, trustedAt } from './registry.js';
import type { TrustedIssuer } from './types.js';

export interface TrustRoutesOptions {
  /** PUBLIC_URL: the base of the absolute `self`/`href`/`links` URLs of the EBSI API. */
  readonly publicUrl: string;
  /** Clock for the EBSI view, which lists only entries trusted now. */
  readonly now?: () => Date;
}

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;
/** `/api/v1/trusted-issuers` pages: large enough that a small registry still fits in one. */
const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;
const POSITIVE_INTEGER = /^[1-9][0-9]{0,8}$/;

/**
 * The read API of the trusted-issuer registry:
 * - `GET /api/v1/trusted-issuers[/{did}]`: our JSON, every entry with its source and window
 *   (an https issuer's entry has `issuer` instead of `did`; its path segment is percent-encoded),
 *   by pages of `limit` (default 100, at most 1000) after the cursor `after` (the `next` of
 *   the previous page): `{ items, total, next? }`;
 * - `GET /v4/issuers[/{did}]`: the EBSI Trusted Issuers Registry v4 read API, as FIWARE
 *   VCVerifier consumes it, listing only the DID entries trusted now (VCVerifier does not check
 *   `validFor`, so an entry outside its window must not be served at all; https issuers are
 *   SD-JWT VC issuers, which a TIR of DIDs cannot name).
 */
export function trustRoutes(registry: TrustRegistry, options: TrustRoutesOptions): Router {
  const baseUrl = options.publicUrl.replace(/\/+$/, '');
  const now = options.now ?? (() => new Date());
  const router = new Router();

  router.get('/api/v1/trusted-issuers', async (ctx) => {
    const limit = pageParameter(ctx, 'limit', DEFAULT_LIST_LIMIT, 'invalid_page_size');
    if (limit > MAX_LIST_LIMIT) {
      throw new BadRequestError('invalid_page_size', `limit must be 1 to ${MAX_LIST_LIMIT}.`);
    }
    const after = ctx.query.after;
    if (after !== undefined && (typeof after !== 'string' || !(isDid(after) || isHttpsIssuer(after)))) {
      throw new BadRequestError('invalid_page_after', 'after must be the identifier given as next, once.');
    }
    const page = await registry.page({ limit, ...(after !== undefined ? { after } : {}) });
    respond(ctx, {
      items: page.items.map(toJson),
      total: page.total,
      ...(page.next !== undefined ? { next: page.next } : {}),
    });
  });

  router.get('/api/v1/trusted-issuers/:did', async (ctx) => {
    respond(ctx, toJson(await found(registry, issuerFromPath(ctx, '/api/v1/trusted-issuers/'))));
  });

  router.get('/v4/issuers', async (ctx) => {
    const size = pageParameter(ctx, 'page[size]', DEFAULT_PAGE_SIZE, 'invalid_page_size');
    if (size > MAX_PAGE_SIZE) {
      throw new BadRequestError('invalid_page_size', `page[size] must be 1 to ${MAX_PAGE_SIZE}.`);
    }
    const page = pageParameter(ctx, 'page[after]', 1, 'invalid_page_after');
    // Only the requested page is built: the registry reads one page of members and counts them.
    const { items, total } = await registry.pageTrustedAt({ at: now(), page, size });
    const last = lastPage(total, size);
    if (page > last) {
      throw new BadRequestError(
        'invalid_page_after',
        `page[after]=${page} does not exist; the last page is ${last}.`,
      );
    }
    respond(ctx, ebsiIssuerPage(items, total, { baseUrl, size, page }));
  });

  router.get('/v4/issuers/:did', async (ctx) => {
    const entry = await found(registry, didFromPath(ctx, '/v4/issuers/'));
    if (!trustedAt(entry, now())) throw new NotFoundError('No issuer with this DID is trusted now.');
    respond(ctx, ebsiIssuer(entry, registry.serviceDid));
  });

  return router;
}

/** The DID in the last path segment (see didFromPathSegment for how it is decoded). */
function didFromPath(ctx: Context, prefix: string): string {
  const did = didFromPathSegment(ctx.path.slice(prefix.length));
  if (!isDid(did))
    throw new BadRequestError('invalid_did', 'The path does not end in a DID (DID Core §3.1).');
  return did;
}

/**
 * The DID, or the percent-encoded https issuer (`https%3A%2F%2Fpid.example`, decoded exactly
 * once, then it must be in canonical form), in the last path segment.
 */
function issuerFromPath(ctx: Context, prefix: string): string {
  const segment = ctx.path.slice(prefix.length);
  if (!/^https?%3A/i.test(segment)) return didFromPath(ctx, prefix);
  let issuer: string | undefined;
  try {
    issuer = decodeURIComponent(segment);
  } catch {
    issuer = undefined;
  }
  if (!isHttpsIssuer(issuer))
    throw new BadRequestError(
      'invalid_issuer',
      'The path does not end in a DID or a canonical https issuer.',
    );
  return issuer;
}

async function found(registry: TrustRegistry, did: string): Promise<TrustedIssuer> {
  const entry = await registry.get(did);
  if (!entry) throw new NotFoundError('No trusted issuer has this DID.');
  return entry;
}

function pageParameter(ctx: Context, name: string, fallback: number, code: string): number {
  const value = ctx.query[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !POSITIVE_INTEGER.test(value)) {
    throw new BadRequestError(code, `${name} must be a positive integer, given once.`);
  }
  return Number(value);
}

function respond(ctx: Context, body: unknown): void {
  ctx.set('Cache-Control', 'no-cache');
  ctx.set('Access-Control-Allow-Origin', '*');
  ctx.body = body;
}

/**
 * Our JSON for one entry: `did` for a DID, `issuer` for an https issuer (SD-JWT VC only), so
 * that a consumer reading `did` never takes a URL for a DID.
 */
function toJson(entry: TrustedIssuer) {
  return {
    ...(isHttpsIssuerId(entry.did) ? { issuer: entry.did } : { did: entry.did }),
    name: entry.name,
    source: entry.source,
    credentialTypes: entry.credentialTypes,
    claims: entry.claims,
    validity: {
      ...(entry.validity.from ? { from: entry.validity.from.toISOString() } : {}),
      ...(entry.validity.until ? { until: entry.validity.until.toISOString() } : {}),
    },
    ...(entry.description ? { description: entry.description } : {}),
    ...(entry.homepage ? { homepage: entry.homepage } : {}),
  };
}
