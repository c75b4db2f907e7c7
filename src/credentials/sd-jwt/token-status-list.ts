/**
 * IETF Token Status List (draft-ietf-oauth-status-list) for SD-JWT VCs: the list codec and the
 * lookup the `status` check reads through.
 *
 * Codec (§4.1): `bits` per Referenced Token (1, 2, 4 or 8); the status of index i is
 * bits [i·bits, (i+1)·bits) counted from the least significant bit of byte 0; the byte array
 * is compressed with DEFLATE in the ZLIB format (RFC 1950) and base64url-encoded as `lst`.
 *
 * Lookup (§8.3 "Validate Status List Token"): the Status List Token is fetched through the
 * same source as Bitstring lists (the service's own lists with no network, others over the
 * hardened https fetcher and the request's fetch budget), must be a compact JWS typed
 * `statuslist+jwt`, signed under `assertionMethod` by a key of the referencing credential's
 * issuer (any `iss` must be that issuer), with `sub` equal to the `uri` it was fetched from,
 * valid now (`iat`, `exp`), and a well-formed `status_list`. A verified list is cached by URL
 * until the sooner of its `exp`, its `ttl` and the cache TTL. Codes: `status_invalid`,
 * `status_unavailable`, `status_list_invalid`, `status_issuer_mismatch`,
 * `status_index_out_of_range`, `fetch_budget_exhausted`.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import { checkSignature } from '../verify/checks/signature.js';
import { checkValidity } from '../verify/checks/validity.js';
import { parseCompactJws } from '../verify/compact-jws.js';
import { mediaTypeOf } from '../verify/model.js';
import { type FetchBudget, type KeyLookup, StatusLookupError } from '../verify/ports.js';
import type { StatusListSource } from '../verify/status-lists.js';

export type StatusBits = 1 | 2 | 4 | 8;
export const STATUS_BITS: readonly StatusBits[] = [1, 2, 4, 8];

/** Status values of §7.1: 0 VALID, 1 INVALID, 2 SUSPENDED. */
export const TOKEN_STATUS = { valid: 0, invalid: 1, suspended: 2 } as const;

/** The largest decompressed list read (8 MiB: 33 million entries of 2 bits). */
export const MAX_TOKEN_LIST_BYTES = 8 * 1024 * 1024;

/** The status at `index` of a decompressed list. */
export function statusAt(bytes: Uint8Array, bits: StatusBits, index: number): number {
  const bit = index * bits;
  const byte = bytes[Math.floor(bit / 8)] as number;
  return (byte >> (bit % 8)) & ((1 << bits) - 1);
}

/** `lst` for `size` entries of `bits` each, all 0 except those in `values`. */
export function encodeTokenList(bits: StatusBits, size: number, values: Iterable<[number, number]>): string {
  const bytes = new Uint8Array(Math.ceil((size * bits) / 8));
  for (const [index, value] of values) {
    const bit = index * bits;
    const at = Math.floor(bit / 8);
    bytes[at] = ((bytes[at] as number) & ~(((1 << bits) - 1) << (bit % 8))) | (value << (bit % 8));
  }
  return deflateSync(bytes, { level: 9 }).toString('base64url');
}

/** Decompresses `lst`; throws on anything malformed or too large. */
export function decodeTokenList(lst: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]+$/.test(lst)) throw new Error('lst is not base64url');
  return inflateSync(Buffer.from(lst, 'base64url'), { maxOutputLength: MAX_TOKEN_LIST_BYTES });
}

export interface TokenStatusLookup {
  /** The status value of `reference` (a credential's `status.status_list`); throws StatusLookupError. */
  status(reference: unknown, issuer: string, budget?: FetchBudget): Promise<number>;
}

interface VerifiedList {
  readonly token: string;
  readonly issuer: string;
  readonly bits: StatusBits;
  readonly bytes: Uint8Array;
  readonly expiresAt: number;
}

export interface TokenStatusLookupOptions {
  readonly keys: KeyLookup;
  readonly source: StatusListSource;
  readonly now: () => Date;
  readonly cacheTtlMs?: number;
  readonly cacheSize?: number;
  readonly es256LowSOnly?: boolean;
}

const invalid = (message: string) => new StatusLookupError('status_list_invalid', message);

export function createTokenStatusLookup(options: TokenStatusLookupOptions): TokenStatusLookup {
  const ttl = options.cacheTtlMs ?? 60_000;
  const cache = new LRUCache<string, VerifiedList>({
    max: options.cacheSize ?? 256,
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (list) => list.bytes.length + list.token.length + 1,
  });

  async function fetchToken(url: string): Promise<string> {
    try {
      return await options.source.fetch(url);
    } catch {
      throw new StatusLookupError('status_unavailable', `the status list ${url} could not be fetched`);
    }
  }

  async function load(
    url: string,
    token: string,
    issuer: string,
    budget?: FetchBudget,
  ): Promise<VerifiedList> {
    let jws: ReturnType<typeof parseCompactJws>;
    try {
      jws = parseCompactJws(token);
    } catch {
      throw invalid('the status list token is not a compact JWS');
    }
    if (mediaTypeOf(jws.header.typ) !== 'statuslist+jwt')
      throw invalid('the status list token is not typed statuslist+jwt');
    const iss = jws.payload.iss;
    const signature = await checkSignature(
      jws,
      {
        signer: issuer,
        signerClaims: [...new Set([issuer, ...(typeof iss === 'string' ? [iss] : [])])],
        subjectClaims: [],
      },
      'assertionMethod',
      options.keys,
      { ...(budget ? { budget } : {}), es256LowSOnly: options.es256LowSOnly === true },
    );
    if (signature.code === 'issuer_mismatch')
      throw new StatusLookupError('status_issuer_mismatch', 'the status list was signed by another issuer');
    if (signature.result !== 'passed') throw invalid(`the status list signature failed: ${signature.code}`);
    if (iss !== undefined && typeof iss !== 'string') throw invalid('iss is not a string');
    if (jws.payload.sub !== url) throw invalid('the status list token names another URI as its sub');
    if (typeof jws.payload.iat !== 'number') throw invalid('the status list token has no iat');
    const validity = checkValidity({ exp: jws.payload.exp, iat: jws.payload.iat }, options.now());
    if (validity.result !== 'passed') throw invalid(`the status list is not valid now: ${validity.code}`);
    const list = jws.payload.status_list as Record<string, unknown> | undefined;
    const bits = list?.bits;
    if (!STATUS_BITS.includes(bits as StatusBits) || typeof list?.lst !== 'string')
      throw invalid('status_list needs bits (1, 2, 4 or 8) and lst');
    let bytes: Uint8Array;
    try {
      bytes = decodeTokenList(list.lst);
    } catch {
      throw invalid('lst is not a ZLIB-compressed byte array');
    }
    const now = options.now().getTime();
    const exp = typeof jws.payload.exp === 'number' ? jws.payload.exp * 1000 : Number.POSITIVE_INFINITY;
    const listTtl =
      typeof jws.payload.ttl === 'number' && jws.payload.ttl >= 0
        ? now + jws.payload.ttl * 1000
        : Number.POSITIVE_INFINITY;
    return { token, issuer, bits: bits as StatusBits, bytes, expiresAt: Math.min(now + ttl, exp, listTtl) };
  }

  async function get(url: string, issuer: string, budget?: FetchBudget): Promise<VerifiedList> {
    const cached = cache.get(url);
    const fresh =
      cached !== undefined && cached.issuer === issuer && cached.expiresAt > options.now().getTime();
    let token: string;
    if (options.source.isAuthoritative(url)) {
      token = await fetchToken(url);
      if (fresh && cached.token === token) return cached;
    } else {
      if (fresh) return cached;
      if (budget !== undefined && !budget.spend())
        throw new StatusLookupError(
          'fetch_budget_exhausted',
          `this request has used up its outbound fetches; ${url} was not fetched`,
        );
      token = await fetchToken(url);
    }
    const list = await load(url, token, issuer, budget);
    cache.set(url, list);
    return list;
  }

  return {
    async status(reference, issuer, budget) {
      const ref = reference as Record<string, unknown> | null;
      const idx = ref?.idx;
      const uri = ref?.uri;
      if (
        ref === null ||
        typeof ref !== 'object' ||
        typeof idx !== 'number' ||
        !Number.isSafeInteger(idx) ||
        idx < 0 ||
        typeof uri !== 'string' ||
        !URL.canParse(uri)
      )
        throw new StatusLookupError('status_invalid', 'status.status_list needs an integer idx and a uri');
      const list = await get(uri, issuer, budget);
      if (idx * list.bits >= list.bytes.length * 8)
        throw new StatusLookupError('status_index_out_of_range', `index ${idx} is beyond the list`);
      return statusAt(list.bytes, list.bits, idx);
    },
  };
}
