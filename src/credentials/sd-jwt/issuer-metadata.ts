/**
 * Keys of an SD-JWT VC issuer named by an https URL (SD-JWT VC §5 "JWT VC Issuer Metadata"):
 * the service GETs `{origin}/.well-known/jwt-vc-issuer{path}` and takes the key the JWT's
 * `kid` names from its `jwks` (inline) or from the JWK Set at its `jwks_uri`.
 *
 * Every fetch goes through the same hardened GET as did:web (src/did/fetch-document.ts): https
 * only (http only for `localhost` in development), no private addresses outside development,
 * no redirect followed (so none to another host), one deadline, a size cap, each fetch one
 * unit of the request's FetchBudget. The metadata's `issuer` must be exactly the `iss` it was
 * fetched for, and a `jwks_uri` must be https on the issuer's own origin (so the metadata
 * cannot send the service to another host either). Successful answers are cached per replica
 * (bounded in entries and bytes, with a TTL); failures are not.
 *
 * Errors (IssuerKeyError codes, reported by the `signature` check): the transport's codes as
 * did:web has them (`insecure_transport`, `private_address`, `timeout`, `too_large`,
 * `redirect_refused`, `not_found`, `fetch_failed`), `invalid_issuer` (not an https URL without
 * userinfo, query or fragment), `invalid_issuer_metadata` (not JSON, neither or both of `jwks`
 * and `jwks_uri`, a bad JWK Set), `issuer_metadata_mismatch` (its `issuer` is another),
 * `unknown_key` (no key with that `kid`, or no `kid` and not exactly one key),
 * `unsupported_key` (a key type, curve or private member this service refuses) and
 * `fetch_budget_exhausted`.
 */
import { LRUCache } from 'lru-cache';
import {
  DEFAULT_CACHE_MAX_BYTES,
  DEFAULT_CACHE_SIZE,
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  DidResolutionError,
  type DidTransportOptions,
  type FetchBudget,
  fetchBounded,
  importPublicJwk,
} from '../../did/index.js';
import type { VerificationKey } from '../verify/ports.js';

export type IssuerKeyErrorCode =
  | 'insecure_transport'
  | 'private_address'
  | 'timeout'
  | 'too_large'
  | 'redirect_refused'
  | 'not_found'
  | 'fetch_failed'
  | 'invalid_issuer'
  | 'invalid_issuer_metadata'
  | 'issuer_metadata_mismatch'
  | 'unknown_key'
  | 'unsupported_key'
  | 'fetch_budget_exhausted';

/** No key of an https issuer could be had; `code` says why. */
export class IssuerKeyError extends Error {
  constructor(
    readonly code: IssuerKeyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IssuerKeyError';
  }
}

export interface IssuerMetadataOptions {
  /** Allows http for `localhost` and connecting to private addresses. */
  readonly developmentMode: boolean;
  /** Deadline of one fetch (default 3000 ms, as did:web). */
  readonly timeoutMs?: number;
  /** Largest metadata document or JWK Set, in bytes (default 64 KiB, as did:web). */
  readonly maxBytes?: number;
  /** How long an issuer's keys are reused (default 60 000 ms; 0 disables caching). */
  readonly cacheTtlMs?: number;
  readonly cacheSize?: number;
  readonly cacheMaxBytes?: number;
  readonly transport?: DidTransportOptions;
  /** The clock, in epoch milliseconds (default Date.now). */
  readonly now?: () => number;
}

export interface IssuerKeys {
  /** The key of the https issuer `issuer` named by `kid`; throws IssuerKeyError. */
  verificationKey(issuer: string, kid: string | undefined, budget?: FetchBudget): Promise<VerificationKey>;
}

/** True for an `iss` that names an issuer by an https (or http) URL rather than a DID. */
export function isUrlIssuer(issuer: string): boolean {
  return issuer.startsWith('https://') || issuer.startsWith('http://');
}

/** SD-JWT VC §5.1: the well-known segment goes between the host and the issuer's path. */
export function issuerMetadataUrl(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new IssuerKeyError('invalid_issuer', 'iss is not a URL');
  }
  if (
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    issuer.includes('#')
  )
    throw new IssuerKeyError('invalid_issuer', 'an issuer URL has no userinfo, query or fragment');
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return new URL(`${url.origin}/.well-known/jwt-vc-issuer${path}`);
}

interface Jwk {
  readonly kid?: unknown;
  readonly [member: string]: unknown;
}

interface CacheEntry {
  readonly keys: readonly Jwk[];
  readonly expiresAt: number;
}

function parseJson(body: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new IssuerKeyError('invalid_issuer_metadata', `${what} is not UTF-8 JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new IssuerKeyError('invalid_issuer_metadata', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function keysOf(jwks: unknown): Jwk[] {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.some((k) => k === null || typeof k !== 'object' || Array.isArray(k)))
    throw new IssuerKeyError('invalid_issuer_metadata', 'the JWK Set has no keys array of objects');
  return keys as Jwk[];
}

/** Creates the https issuer key source; see IssuerMetadataOptions for the defaults. */
export function createIssuerKeys(options: IssuerMetadataOptions): IssuerKeys {
  const now = options.now ?? Date.now;
  const ttlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  const cache =
    ttlMs === 0 || cacheSize === 0
      ? undefined
      : new LRUCache<string, CacheEntry>({
          max: cacheSize,
          maxSize: options.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES,
          sizeCalculation: (entry) => Math.max(1, JSON.stringify(entry.keys).length),
        });
  const fetchOptions = {
    developmentMode: options.developmentMode,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    accept: 'application/json',
    ...(options.transport ? { transport: options.transport } : {}),
  };

  async function get(url: URL, budget: FetchBudget | undefined): Promise<Buffer> {
    if (budget && !budget.spend())
      throw new IssuerKeyError('fetch_budget_exhausted', 'this request has used up its outbound fetches');
    try {
      return await fetchBounded(url, fetchOptions);
    } catch (error) {
      if (error instanceof DidResolutionError) {
        const code = error.code as IssuerKeyErrorCode;
        throw new IssuerKeyError(
          ['invalid_document', 'invalid_did', 'id_mismatch', 'unsupported_method'].includes(error.code)
            ? 'fetch_failed'
            : code,
          error.message,
        );
      }
      throw error;
    }
  }

  async function load(issuer: string, budget: FetchBudget | undefined): Promise<readonly Jwk[]> {
    const hit = cache?.get(issuer);
    if (hit && hit.expiresAt > now()) return hit.keys;
    const metadataUrl = issuerMetadataUrl(issuer);
    const metadata = parseJson(await get(metadataUrl, budget), 'the issuer metadata');
    if (metadata.issuer !== issuer)
      throw new IssuerKeyError(
        'issuer_metadata_mismatch',
        `the metadata at ${metadataUrl.href} is for ${JSON.stringify(metadata.issuer)}, not ${issuer}`,
      );
    const inline = metadata.jwks !== undefined;
    const byReference = metadata.jwks_uri !== undefined;
    if (inline === byReference)
      throw new IssuerKeyError(
        'invalid_issuer_metadata',
        'the metadata has exactly one of jwks and jwks_uri',
      );
    let keys: Jwk[];
    if (inline) keys = keysOf(metadata.jwks);
    else {
      const reference = metadata.jwks_uri;
      if (typeof reference !== 'string' || !URL.canParse(reference))
        throw new IssuerKeyError('invalid_issuer_metadata', 'jwks_uri is not a URL');
      const jwksUrl = new URL(reference);
      if (jwksUrl.origin !== metadataUrl.origin)
        throw new IssuerKeyError('invalid_issuer_metadata', 'jwks_uri is not on the issuer origin');
      keys = keysOf(parseJson(await get(jwksUrl, budget), 'the JWK Set'));
    }
    cache?.set(issuer, { keys, expiresAt: now() + ttlMs });
    return keys;
  }

  return {
    async verificationKey(issuer, kid, budget) {
      const keys = await load(issuer, budget);
      const candidates = kid === undefined ? keys : keys.filter((key) => key.kid === kid);
      if (candidates.length !== 1) {
        throw new IssuerKeyError(
          'unknown_key',
          kid === undefined
            ? `the issuer has ${candidates.length} keys and the JWT names none (kid)`
            : `the issuer has ${candidates.length === 0 ? 'no' : 'several'} keys with kid ${kid}`,
        );
      }
      const { kid: keyId, alg, use, key_ops, ...material } = candidates[0] as Jwk;
      let imported: ReturnType<typeof importPublicJwk>;
      try {
        if (use !== undefined && use !== 'sig') throw new Error('the key is not for signatures');
        if (key_ops !== undefined && !(Array.isArray(key_ops) && key_ops.includes('verify')))
          throw new Error('the key is not for verifying');
        imported = importPublicJwk(material);
      } catch (error) {
        throw new IssuerKeyError(
          'unsupported_key',
          `the issuer key is not usable: ${(error as Error).message}`,
        );
      }
      const algorithm = imported.curve === 'Ed25519' ? 'EdDSA' : 'ES256';
      if (alg !== undefined && alg !== algorithm)
        throw new IssuerKeyError('unsupported_key', `the key's alg ${String(alg)} is not ${algorithm}`);
      return {
        id: `${issuer}#${typeof keyId === 'string' ? keyId : '0'}`,
        publicKey: imported.publicKey,
        algorithms: [algorithm],
      };
    },
  };
}
