/**
 * Publishes this service's Token Status Lists (draft-ietf-oauth-status-list §5, §8) at
 * `${PUBLIC_URL}/status-lists/{id}`: a Status List Token, `typ: statuslist+jwt`, signed by the
 * service DID's current key with `kid`, `sub` = its own URL, `iat`, `exp` and `ttl`, and
 * `status_list` with `bits: 2` (0 VALID, 1 INVALID, 2 SUSPENDED) and the ZLIB-compressed `lst`.
 * A signed list is reused while its TTL runs, its revision in the database is the one it was
 * built from and the signing key is still the current one: a change by any replica is
 * served at once (the revision read is one indexed read).
 */
import { createHash } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import type { JwtSigner } from '../sign.js';
import type { StatusService } from '../status/index.js';
import { encodeTokenList } from './token-status-list.js';

export const TOKEN_LIST_BITS = 2;

export function tokenStatusListUrl(publicUrl: string, listId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/status-lists/${encodeURIComponent(listId)}`;
}

export interface SignedTokenList {
  readonly jwt: string;
  readonly etag: string;
  readonly revision: number;
  readonly expiresAt: number;
  readonly kid: string | undefined;
}

export interface TokenListPublisherOptions {
  readonly service: StatusService;
  readonly signer: JwtSigner;
  readonly publicUrl: string;
  /** Seconds clients may cache a list (`ttl`, `Cache-Control`). Default 300. */
  readonly ttlSeconds?: number;
  /** Seconds from `iat` to `exp`; default three times the ttl. */
  readonly validitySeconds?: number;
  readonly now?: () => Date;
  readonly maxCachedLists?: number;
}

export class TokenStatusListPublisher {
  readonly ttlSeconds: number;
  readonly validitySeconds: number;
  private readonly now: () => Date;
  private readonly cache = new Map<string, SignedTokenList>();

  constructor(private readonly options: TokenListPublisherOptions) {
    this.ttlSeconds = options.ttlSeconds ?? 300;
    this.validitySeconds = options.validitySeconds ?? 3 * this.ttlSeconds;
    this.now = options.now ?? (() => new Date());
    options.service.onChange((listId) => this.cache.delete(listId));
  }

  /** The signed list, or undefined when there is no such Token Status List. */
  async signedList(listId: string): Promise<SignedTokenList | undefined> {
    const revision = await this.options.service.listRevision(listId);
    if (revision === undefined) return undefined;
    const cached = this.cache.get(listId);
    const kid = await this.options.signer.currentKid?.();
    if (
      cached &&
      cached.revision === revision &&
      cached.kid === kid &&
      this.now().getTime() < cached.expiresAt
    )
      return cached;
    const snapshot = await this.options.service.tokenListSnapshot(listId);
    if (!snapshot) return undefined;
    const now = this.now();
    const iat = Math.floor(now.getTime() / 1000);
    const jwt = await this.options.signer.sign(
      {
        iss: this.options.signer.did,
        sub: tokenStatusListUrl(this.options.publicUrl, listId),
        iat,
        exp: iat + this.validitySeconds,
        ttl: this.ttlSeconds,
        status_list: {
          bits: TOKEN_LIST_BITS,
          lst: encodeTokenList(TOKEN_LIST_BITS, snapshot.size, snapshot.values),
        },
      },
      { typ: 'statuslist+jwt' },
    );
    const signed: SignedTokenList = {
      jwt,
      etag: `"${createHash('sha256').update(jwt).digest('base64url')}"`,
      revision: snapshot.revision,
      expiresAt: now.getTime() + this.ttlSeconds * 1000,
      kid: decodeProtectedHeader(jwt).kid,
    };
    this.cache.delete(listId);
    this.cache.set(listId, signed);
    while (this.cache.size > (this.options.maxCachedLists ?? 1_000)) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return signed;
  }
}
