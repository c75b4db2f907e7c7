import { LRUCache } from 'lru-cache';
import { resolveDidJwk } from './did-jwk.js';
import { resolveDidKey } from './did-key.js';
import { parseDid } from './did-syntax.js';
import { didWebToUrl } from './did-web.js';
import { checkDidDocument } from './document.js';
import { DidResolutionError } from './errors.js';
import type { FetchBudget } from './fetch-budget.js';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  type DidTransportOptions,
  fetchDidDocument,
} from './fetch-document.js';
import type { DidDocument } from './types.js';

/**
 * The DID resolver of the verification pipeline: did:web (hardened, over the network),
 * did:key and did:jwk (computed locally). Every other method is `unsupported_method`.
 *
 * Caching: successful resolutions are kept per replica in an LRU (lru-cache) bounded both in
 * entries and in bytes (each document counted by the length of its JSON), with a TTL, keyed
 * by the exact DID string, so a key removed from a did:web document stops verifying at the
 * latest one TTL later. Concurrent resolutions of one DID share a single request.
 * Failures are not cached: the next resolution tries again (concurrent callers still share
 * the one failing attempt, and the timeout bounds how long each attempt can take).
 *
 * Documents are returned frozen: one object is shared by every caller that hits the cache.
 */
export interface DidResolverOptions {
  /** Allows http for `did:web:localhost...` and connecting to private addresses. */
  readonly developmentMode: boolean;
  /** Deadline of one did:web fetch, connect to last byte (default 3000 ms). */
  readonly timeoutMs?: number;
  /** Largest did:web document accepted, in bytes (default 64 KiB). */
  readonly maxBytes?: number;
  /** How long a resolved document is reused (default 60 000 ms; 0 disables caching). */
  readonly cacheTtlMs?: number;
  /** How many documents are cached, least recently used evicted first (default 1000). */
  readonly cacheSize?: number;
  /** How many bytes of documents are cached at most (default 8 MiB); a larger document is not cached. */
  readonly cacheMaxBytes?: number;
  /**
   * Documents this service holds itself (its own DID), consulted first on every
   * resolution and never cached here, so a key rotation shows at once. Return undefined
   * for DIDs it does not hold.
   */
  readonly localDocuments?: (did: string) => Promise<DidDocument | undefined> | DidDocument | undefined;
  /** Transport settings (custom DNS lookup, CA certificates), for tests. */
  readonly transport?: DidTransportOptions;
  /** The clock, in epoch milliseconds (default Date.now). */
  readonly now?: () => number;
}

export interface DidResolver {
  /**
   * Resolves a DID (not a DID URL) to its document, or rejects with DidResolutionError. A
   * did:web document that must be fetched takes one fetch from `budget` when one is given
   * (`fetch_budget_exhausted` when none is left); cached and local documents cost nothing.
   */
  resolve(did: string, options?: { readonly budget?: FetchBudget }): Promise<DidDocument>;
  /** Forgets the cached document of one DID, or of all DIDs when none is given. */
  invalidate(did?: string): void;
}

export const DEFAULT_CACHE_TTL_MS = 60_000;
export const DEFAULT_CACHE_SIZE = 1000;
export const DEFAULT_CACHE_MAX_BYTES = 8 * 1024 * 1024;

interface CacheEntry {
  readonly document: DidDocument;
  readonly expiresAt: number;
  readonly bytes: number;
}

function integerOption(name: string, value: number, minimum: 0 | 1): number {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be an integer >= ${minimum}`);
  }
  return value;
}

/** Creates a resolver; see DidResolverOptions for the defaults. */
export function createDidResolver(options: DidResolverOptions): DidResolver {
  const { developmentMode, localDocuments, transport } = options;
  const timeoutMs = integerOption('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1);
  const maxBytes = integerOption('maxBytes', options.maxBytes ?? DEFAULT_MAX_BYTES, 1);
  const ttlMs = integerOption('cacheTtlMs', options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS, 0);
  const cacheSize = integerOption('cacheSize', options.cacheSize ?? DEFAULT_CACHE_SIZE, 0);
  const cacheMaxBytes = integerOption('cacheMaxBytes', options.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES, 1);
  const now = options.now ?? Date.now;

  // Expiry is checked against the injectable clock here; the library only evicts by use and size.
  const cache =
    ttlMs === 0 || cacheSize === 0
      ? undefined
      : new LRUCache<string, CacheEntry>({
          max: cacheSize,
          maxSize: cacheMaxBytes,
          sizeCalculation: (entry) => entry.bytes,
        });
  const inFlight = new Map<string, Promise<DidDocument>>();

  function cached(did: string): DidDocument | undefined {
    const entry = cache?.get(did);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      cache?.delete(did);
      return undefined;
    }
    return entry.document;
  }

  function store(did: string, document: DidDocument): void {
    // A document too large for the whole budget is simply not kept (lru-cache refuses it).
    const bytes = Math.max(1, Buffer.byteLength(JSON.stringify(document), 'utf8'));
    cache?.set(did, { document, expiresAt: now() + ttlMs, bytes });
  }

  async function load(did: string, method: string, budget: FetchBudget | undefined): Promise<DidDocument> {
    switch (method) {
      case 'web': {
        if (budget !== undefined && !budget.spend()) {
          throw new DidResolutionError(
            'fetch_budget_exhausted',
            'this request has used up its outbound fetches; the DID document was not fetched',
          );
        }
        const url = didWebToUrl(did, { developmentMode });
        const value = await fetchDidDocument(url, {
          developmentMode,
          timeoutMs,
          maxBytes,
          ...(transport ? { transport } : {}),
        });
        return checkDidDocument(value, did);
      }
      case 'key':
        return checkDidDocument(resolveDidKey(did), did);
      case 'jwk':
        return checkDidDocument(resolveDidJwk(did), did);
      default:
        throw new DidResolutionError('unsupported_method', `did:${method} is not supported`);
    }
  }

  // A local document object is checked (and copied) once: the holder returns the same object
  // until its keys change, and a new object after a rotation, which is then checked anew.
  const checkedLocal = new WeakMap<object, DidDocument>();

  async function resolve(did: string, resolveOptions: { budget?: FetchBudget } = {}): Promise<DidDocument> {
    const { method } = parseDid(did);
    if (localDocuments !== undefined) {
      const local = await localDocuments(did);
      if (local !== undefined) {
        const known = checkedLocal.get(local);
        if (known !== undefined && known.id === did) return known;
        const checked = checkDidDocument(structuredClone(local), did);
        checkedLocal.set(local, checked);
        return checked;
      }
    }
    const hit = cached(did);
    if (hit !== undefined) return hit;
    const running = inFlight.get(did);
    if (running !== undefined) return running;

    const attempt = load(did, method, resolveOptions.budget);
    inFlight.set(did, attempt);
    // Registered before any caller awaits `attempt`, so the cache is filled when they resume.
    // An invalidate() while in flight removes the attempt, and its result is then not kept.
    attempt.then(
      (document) => {
        if (inFlight.get(did) !== attempt) return;
        inFlight.delete(did);
        store(did, document);
      },
      () => {
        if (inFlight.get(did) === attempt) inFlight.delete(did);
      },
    );
    return attempt;
  }

  return {
    resolve,
    invalidate(did?: string): void {
      if (did === undefined) {
        cache?.clear();
        inFlight.clear();
      } else {
        cache?.delete(did);
        inFlight.delete(did);
      }
    },
  };
}
