import { createHash } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import type { JwtSigner } from '../sign.js';
import { Bitstring, encodeList, MINIMUM_LIST_BITS } from './bitstring.js';
import { statusListCredential, statusListUrl } from './credential.js';
import type { RevisionWatch } from './revision-watch.js';
import type { StatusService } from './status-service.js';

export interface PublisherOptions {
  readonly service: StatusService;
  readonly signer: JwtSigner;
  readonly publicUrl: string;
  /**
   * Seconds a signed list is reused by this replica and may be cached by clients
   * (`Cache-Control: max-age`, `credentialSubject.ttl`). Default 300, the spec's default ttl.
   */
  readonly ttlSeconds?: number;
  /**
   * Seconds from `validFrom` to `validUntil`. Short, so that a list cannot be replayed long
   * after a revocation; at least twice the ttl, so that no cache ever holds an expired copy.
   * Default three times the ttl.
   */
  readonly validitySeconds?: number;
  /** How many signed lists this replica keeps. Default 1,000. */
  readonly maxCachedLists?: number;
  readonly now?: () => Date;
  /**
   * Tells when a cached list is known to be current without reading its revision (PostgreSQL
   * LISTEN/NOTIFY). Without one, every lookup reads the revision (SQLite: one indexed read).
   */
  readonly watch?: RevisionWatch;
}

/** A signed BitstringStatusListCredential, as served. */
export interface SignedStatusList {
  /** Compact JWS, `typ: vc+jwt`. */
  readonly jws: string;
  /** Strong ETag of the JWS: it changes whenever the content or the signature's validity does. */
  readonly etag: string;
  readonly revision: number;
  readonly expiresAt: number;
  /** The key that signed it. */
  readonly kid: string | undefined;
}

interface CachedList extends SignedStatusList {
  /** The watch's stamp when the revision was last confirmed (undefined: confirm on next use). */
  stamp: number | undefined;
}

/**
 * Builds and signs status list credentials (Bitstring Status List §3.1) with a bounded,
 * per-replica cache. A cached list is served only while its TTL runs and while the list's
 * revision in the database is the one it was built from, so a change made by any replica is
 * served at once; a change made by this process also drops the cached copy right away. It is
 * also served only while it is signed with the key the service signs with now: after a key
 * rotation the list is re-signed, so no list signed with a key that may be retired stays in use.
 */
export class StatusListPublisher {
  readonly ttlSeconds: number;
  readonly validitySeconds: number;
  private readonly maxCachedLists: number;
  private readonly now: () => Date;
  private readonly cache = new Map<string, CachedList>();
  private readonly building = new Map<string, Promise<SignedStatusList | undefined>>();

  constructor(private readonly options: PublisherOptions) {
    this.ttlSeconds = options.ttlSeconds ?? 300;
    this.validitySeconds = options.validitySeconds ?? 3 * this.ttlSeconds;
    this.maxCachedLists = options.maxCachedLists ?? 1_000;
    this.now = options.now ?? (() => new Date());
    if (!Number.isSafeInteger(this.ttlSeconds) || this.ttlSeconds <= 0) {
      throw new RangeError('ttlSeconds must be a positive integer');
    }
    if (!Number.isSafeInteger(this.validitySeconds) || this.validitySeconds < 2 * this.ttlSeconds) {
      throw new RangeError('validitySeconds must be an integer of at least twice ttlSeconds');
    }
    options.service.onChange((listId) => this.cache.delete(listId));
  }

  /** The signed list, or undefined when there is no such list. */
  async signedList(listId: string): Promise<SignedStatusList | undefined> {
    const watch = this.options.watch;
    const cached = this.cache.get(listId);
    // A copy signed with a key that is no longer the current one is rebuilt (retired keys).
    const kid = await this.options.signer.currentKid?.();
    const usable = cached !== undefined && cached.kid === kid && this.now().getTime() < cached.expiresAt;
    if (usable && watch?.isCurrent(listId, cached.revision, cached.stamp)) return cached;
    // Taken before the read: a change committed after it is announced, one before it is read.
    const stamp = watch?.stamp();
    const revision = await this.options.service.listRevision(listId);
    if (revision === undefined) {
      this.cache.delete(listId);
      return undefined;
    }
    if (usable && cached.revision >= revision) {
      cached.stamp = stamp;
      return cached;
    }
    const built = await this.buildOnce(listId);
    // A build already under way may have read the list before the revision we saw: build anew.
    if (built && built.revision < revision) return this.build(listId);
    return built;
  }

  private buildOnce(listId: string): Promise<SignedStatusList | undefined> {
    let pending = this.building.get(listId);
    if (!pending) {
      pending = this.build(listId).finally(() => this.building.delete(listId));
      this.building.set(listId, pending);
    }
    return pending;
  }

  private async build(listId: string): Promise<SignedStatusList | undefined> {
    const stamp = this.options.watch?.stamp();
    const snapshot = await this.options.service.listSnapshot(listId);
    // A Token Status List (SD-JWT VCs) is published at /status-lists/{id}, never as a Bitstring list.
    if (!snapshot || snapshot.purpose === 'token') return undefined;
    // The product minimum is enforced here, whatever size the list was opened with.
    const bitstring = Bitstring.zeros(Math.max(snapshot.size, MINIMUM_LIST_BITS));
    for (const index of snapshot.setIndexes) bitstring.set(index, true);
    const now = this.now();
    const credential = statusListCredential({
      listUrl: statusListUrl(this.options.publicUrl, listId),
      issuer: this.options.signer.did,
      purpose: snapshot.purpose,
      encodedList: encodeList(bitstring),
      validFrom: now,
      validUntil: new Date(now.getTime() + this.validitySeconds * 1000),
      ttlMs: this.ttlSeconds * 1000,
    });
    // VC-JOSE-COSE: the payload is the credential itself, with `iss` and `iat` beside it.
    const jws = await this.options.signer.sign(
      { ...credential, iss: this.options.signer.did, iat: Math.floor(now.getTime() / 1000) },
      { typ: 'vc+jwt' },
    );
    const signed: CachedList = {
      jws,
      etag: `"${createHash('sha256').update(jws).digest('base64url')}"`,
      revision: snapshot.revision,
      expiresAt: now.getTime() + this.ttlSeconds * 1000,
      kid: decodeProtectedHeader(jws).kid,
      stamp,
    };
    this.remember(listId, signed);
    return signed;
  }

  private remember(listId: string, signed: CachedList): void {
    this.cache.delete(listId);
    this.cache.set(listId, signed);
    // Maps iterate in insertion order: the first key is the least recently built.
    while (this.cache.size > this.maxCachedLists) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}
