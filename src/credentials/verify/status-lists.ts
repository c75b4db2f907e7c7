/**
 * Reads status bits (Bitstring Status List 1.0 §3.2) for the `status` check. A status list
 * credential is fetched through a StatusListSource (the service's own lists without any
 * network, others over hardened https), verified like any credential (format, signature
 * under `assertionMethod`, validity), and kept decoded in a per-replica LRU (lru-cache)
 * bounded in bytes (the decoded bits plus the signed token) until the sooner of its
 * `validUntil` and the cache TTL. A list that must come over the network takes one fetch from
 * the request's budget (`fetch_budget_exhausted` when none is left); the service's own lists
 * and cached copies cost nothing. Failures never carry internal error messages (a database
 * address, a stack): only their code and the list's URL.
 */
import { LRUCache } from 'lru-cache';
import { DidResolutionError } from '../../did/index.js';
import { checkSignature } from './checks/signature.js';
import { checkValidity } from './checks/validity.js';
import type { StatusEntry } from './model.js';
import { type FetchBudget, type KeyLookup, type StatusLookup, StatusLookupError } from './ports.js';
import { checkCredentialFormat } from './verify-credential.js';

export interface StatusListSource {
  /** The status list credential at `url`, as a compact JWT; rejects when it cannot be had. */
  fetch(url: string): Promise<string>;
  /**
   * True for lists this service publishes itself: they are fetched on every lookup (no
   * network; one cheap revision read), so a revocation by any replica counts at once, and
   * only re-verified when the signed list changed.
   */
  isAuthoritative(url: string): boolean;
}

export interface DecodedBitstring {
  readonly length: number;
  get(index: number): boolean;
}

export interface StatusListLookupOptions {
  readonly keys: KeyLookup;
  readonly source: StatusListSource;
  /** Decodes an `encodedList` (multibase base64url of GZIP); throws on anything malformed. */
  readonly decode: (encodedList: string) => DecodedBitstring;
  readonly now: () => Date;
  readonly cacheTtlMs?: number;
  /** How many lists are cached at most (default 256). */
  readonly cacheSize?: number;
  /** How many bytes of decoded lists are cached at most (default 32 MiB); a larger list is not cached. */
  readonly cacheMaxBytes?: number;
  /** Refuse list credentials signed ES256 in high-S form (ES256_LOW_S_ONLY); default false. */
  readonly es256LowSOnly?: boolean;
}

export const DEFAULT_STATUS_CACHE_MAX_BYTES = 32 * 1024 * 1024;

interface VerifiedList {
  readonly token: string;
  readonly issuer: string;
  readonly purposes: readonly string[];
  readonly bits: DecodedBitstring;
  readonly expiresAt: number;
}

const INDEX = /^(0|[1-9]\d{0,9})$/;

export function createStatusListLookup(options: StatusListLookupOptions): StatusLookup {
  const ttl = options.cacheTtlMs ?? 60_000;
  const cache = new LRUCache<string, VerifiedList>({
    max: options.cacheSize ?? 256,
    maxSize: options.cacheMaxBytes ?? DEFAULT_STATUS_CACHE_MAX_BYTES,
    sizeCalculation: listBytes,
  });
  const inFlight = new Map<string, Promise<VerifiedList>>();

  async function fetchToken(url: string): Promise<string> {
    try {
      return await options.source.fetch(url);
    } catch (error) {
      // A fetch error's code is safe to show; any other message (a database's) stays inside.
      const reason = error instanceof DidResolutionError ? ` (${error.code})` : '';
      throw new StatusLookupError(
        'status_unavailable',
        `the status list ${url} could not be fetched${reason}`,
      );
    }
  }

  async function load(
    url: string,
    known: string | undefined,
    budget: FetchBudget | undefined,
  ): Promise<VerifiedList> {
    const token = known ?? (await fetchToken(url));
    const format = checkCredentialFormat(token);
    const list = format.credential;
    if (!list)
      throw new StatusLookupError(
        'status_list_invalid',
        `the status list is not a credential (${format.result.code})`,
      );
    const { jws, view } = list;
    if (!view.types.includes('BitstringStatusListCredential')) {
      throw new StatusLookupError(
        'status_list_invalid',
        'the status list is not a BitstringStatusListCredential',
      );
    }
    if (view.id !== undefined && view.id !== url) {
      throw new StatusLookupError(
        'status_list_invalid',
        'the status list credential names another URL as its id',
      );
    }
    const signature = await checkSignature(
      jws,
      { signer: view.issuer, signerClaims: view.issuerClaims, subjectClaims: [] },
      'assertionMethod',
      options.keys,
      { ...(budget !== undefined ? { budget } : {}), es256LowSOnly: options.es256LowSOnly === true },
    );
    if (signature.result !== 'passed') {
      throw new StatusLookupError(
        'status_list_invalid',
        `the status list signature failed: ${signature.code}`,
      );
    }
    const validity = checkValidity({ ...view.jwt, ...view.dates }, options.now());
    if (validity.result !== 'passed') {
      throw new StatusLookupError(
        'status_list_invalid',
        `the status list is not valid now: ${validity.code}`,
      );
    }
    const subject = view.document.credentialSubject as Record<string, unknown> | undefined;
    const encoded = subject?.encodedList;
    if (subject?.type !== 'BitstringStatusList' || typeof encoded !== 'string') {
      throw new StatusLookupError(
        'status_list_invalid',
        'the status list has no BitstringStatusList subject',
      );
    }
    let bits: DecodedBitstring;
    try {
      bits = options.decode(encoded);
    } catch (error) {
      throw new StatusLookupError(
        'status_list_invalid',
        `the encodedList is malformed: ${(error as Error).message}`,
      );
    }
    const purposes = ([] as unknown[])
      .concat(subject.statusPurpose)
      .filter((p): p is string => typeof p === 'string');
    const validUntil =
      typeof view.dates.validUntil === 'string'
        ? Date.parse(view.dates.validUntil)
        : Number.POSITIVE_INFINITY;
    const exp = typeof view.jwt.exp === 'number' ? view.jwt.exp * 1000 : Number.POSITIVE_INFINITY;
    return {
      token,
      issuer: view.issuer as string,
      purposes,
      bits,
      expiresAt: Math.min(options.now().getTime() + ttl, validUntil, exp),
    };
  }

  async function get(url: string, budget: FetchBudget | undefined): Promise<VerifiedList> {
    const cached = cache.get(url);
    const fresh = cached !== undefined && cached.expiresAt > options.now().getTime();
    let known: string | undefined;
    if (options.source.isAuthoritative(url)) {
      known = await fetchToken(url);
      if (fresh && cached.token === known) return cached;
    } else if (fresh) {
      return cached;
    }
    cache.delete(url);
    // Share a verification under way only when it is of the same copy: a lookup that fetched a
    // list of our own after a change must not be answered with the copy from before it.
    const flight = known === undefined ? url : `${url}\n${known}`;
    let pending = inFlight.get(flight);
    if (!pending) {
      if (known === undefined && budget !== undefined && !budget.spend()) {
        throw new StatusLookupError(
          'fetch_budget_exhausted',
          `this request has used up its outbound fetches; ${url} was not fetched`,
        );
      }
      pending = load(url, known, budget).finally(() => inFlight.delete(flight));
      inFlight.set(flight, pending);
    }
    const list = await pending;
    cache.set(url, list);
    return list;
  }

  return {
    async isSet(entry: StatusEntry, issuer: string, budget?: FetchBudget) {
      if (entry.type !== 'BitstringStatusListEntry') {
        throw new StatusLookupError(
          'unsupported_status',
          `status entries of type ${String(entry.type)} are not supported`,
        );
      }
      const purpose = entry.statusPurpose;
      const index = entry.statusListIndex;
      const url = entry.statusListCredential;
      if (
        typeof purpose !== 'string' ||
        typeof index !== 'string' ||
        !INDEX.test(index) ||
        typeof url !== 'string'
      ) {
        throw new StatusLookupError(
          'status_invalid',
          'the status entry lacks a purpose, a decimal index or a list URL',
        );
      }
      if (!URL.canParse(url))
        throw new StatusLookupError('status_invalid', 'statusListCredential is not a URL');
      const list = await get(url, budget);
      if (list.issuer !== issuer) {
        throw new StatusLookupError('status_issuer_mismatch', 'the status list was issued by another issuer');
      }
      if (!list.purposes.includes(purpose)) {
        throw new StatusLookupError('status_purpose_mismatch', `the status list is not for ${purpose}`);
      }
      const position = Number(index);
      if (position >= list.bits.length) {
        throw new StatusLookupError('status_index_out_of_range', `index ${position} is beyond the list`);
      }
      return { purpose, set: list.bits.get(position) };
    },
  };
}

/** What a cached list weighs: its decoded bits and the signed token it came from. */
function listBytes(list: VerifiedList): number {
  return Math.ceil(list.bits.length / 8) + list.token.length + 1;
}
