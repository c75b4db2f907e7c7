import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { DataSource, Repository } from 'typeorm';
import { inTransaction, isUniqueViolation } from '../db/index.js';
import { deepFreeze } from '../json/freeze.js';
import { buildDidDocument, type DidDocument, type PublishedKey } from './did-document.js';
import { type DidWebLocation, didWebForUrl } from './did-web.js';
import { IdentityKeyEntity, type IdentityKeyRow, TokenKeyEntity } from './entities.js';
import { IdentityError } from './errors.js';
import { ALGORITHM_OF, privateKeyObject, publicJwkOf, type SigningAlgorithm } from './key-material.js';
import { createKeyVault, type KeyVault, type VaultKey, type VaultKeyType } from './key-vault.js';
import { TokenKeys, type TokenSigningKey } from './token-keys.js';

/** A key the service signs with: native KeyObject, and the DID URL verifiers resolve. */
export interface SigningKey {
  /** `did#fragment`, put in the JWS `kid` header. */
  readonly kid: string;
  readonly algorithm: SigningAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

export interface IdentityOptions {
  readonly dataSource: DataSource;
  readonly publicUrl: string;
  readonly secretHex: string;
  readonly now?: () => Date;
  /** How long loaded keys are reused before the database is asked again (rotation by another process). */
  readonly cacheTtlMs?: number;
  /**
   * The least time between two reloads asked for by an unknown `kid` of the service's own DID
   * (default 1 000 ms): a key rotated by another replica counts at once, while a flood of
   * tokens with made-up kids costs at most one database read per interval.
   */
  readonly unknownKeyReloadIntervalMs?: number;
}

export interface RotationResult {
  readonly added: PublishedKey[];
  readonly previous: PublishedKey[];
  /** The OpenID Connect token keys (RS256), by kid. */
  readonly tokenKeys: { readonly added: string[]; readonly previous: string[] };
}

const KEY_TYPES: readonly VaultKeyType[] = ['Ed25519', 'Secp256r1'];

interface LoadedKeys {
  readonly at: number;
  readonly published: PublishedKey[];
  /** Built once per load: verifiers cache imported keys per document object. */
  readonly document: DidDocument;
  readonly signing: Map<SigningAlgorithm, SigningKey>;
}

/**
 * The service's own did:web identity: created on first start, with one Ed25519 and one
 * P-256 key; the private keys are encrypted at rest by the vault. The DID comes from
 * PUBLIC_URL only. Rotation adds a new pair and keeps the old one published until it is
 * retired, so credentials signed with it keep verifying in between.
 */
export class ServiceIdentity {
  private loaded: LoadedKeys | undefined;
  private readonly repository: Repository<IdentityKeyRow>;
  private readonly tokenKeys: TokenKeys;

  private constructor(
    readonly location: DidWebLocation,
    private readonly vault: KeyVault,
    dataSource: DataSource,
    private readonly now: () => Date,
    /** How long loaded keys are reused: another process's rotation shows here at the latest this much later. */
    readonly cacheTtlMs: number,
    private readonly unknownKeyReloadIntervalMs: number,
  ) {
    this.repository = dataSource.getRepository(IdentityKeyEntity);
    this.tokenKeys = new TokenKeys(dataSource.getRepository(TokenKeyEntity), vault, location.did, now);
  }

  get did(): string {
    return this.location.did;
  }

  /**
   * Opens the identity, creating it on first start. Fails with `key_secret_mismatch` when
   * the secret does not decrypt the stored keys and `did_mismatch` when the database
   * belongs to another PUBLIC_URL: it never silently makes new keys.
   */
  static async open(options: IdentityOptions): Promise<ServiceIdentity> {
    const identity = new ServiceIdentity(
      didWebForUrl(options.publicUrl),
      createKeyVault(options.dataSource, options.secretHex),
      options.dataSource,
      options.now ?? (() => new Date()),
      options.cacheTtlMs ?? 30_000,
      options.unknownKeyReloadIntervalMs ?? 1_000,
    );
    await identity.refuseForeignIdentity();
    if ((await identity.liveRows()).length === 0) await identity.create();
    await identity.tokenKeys.ensure();
    await identity.reload();
    return identity;
  }

  /**
   * The newest active OpenID Connect token key (RS256): it signs tokens only, is never in the
   * DID document and never signs a credential.
   */
  async tokenSigningKey(): Promise<TokenSigningKey> {
    const key = (await this.tokenKeys.active()).at(-1);
    if (!key) throw new IdentityError('identity_not_initialised', 'the service has no active token key');
    return key;
  }

  /** The DID document, from configuration and the key store only. */
  async document(): Promise<DidDocument> {
    return (await this.keys()).document;
  }

  /** The newest key for the algorithm. */
  async signingKey(algorithm: SigningAlgorithm): Promise<SigningKey> {
    const key = (await this.keys()).signing.get(algorithm);
    if (!key)
      throw new IdentityError('identity_not_initialised', `the service has no active ${algorithm} key`);
    return key;
  }

  async publishedKeys(): Promise<PublishedKey[]> {
    return (await this.keys()).published;
  }

  /** The OpenID Connect token keys not yet retired (never in the DID document). */
  async tokenKeyList(): Promise<
    { kid: string; algorithm: 'RS256'; status: 'active' | 'previous' | 'retired'; createdAt: string }[]
  > {
    return this.tokenKeys.listed();
  }

  /**
   * Adds a new Ed25519 and P-256 key (the active ones become `previous`, still published) and a
   * new token key (the active one becomes `previous`).
   */
  async rotate(): Promise<RotationResult> {
    const before = await this.liveRows();
    const added: IdentityKeyRow[] = [];
    for (const type of KEY_TYPES) added.push(await this.rowFor(await this.vault.addKey(this.did, type)));
    await inTransaction(this.repository.manager.connection, undefined, async (manager) => {
      const repository = manager.getRepository(IdentityKeyEntity);
      for (const row of before.filter((r) => r.status === 'active')) {
        await repository.update({ kid: row.kid }, { status: 'previous' });
      }
      await repository.insert(added);
    });
    const tokenKeys = await this.tokenKeys.rotate();
    await this.reload();
    return {
      added: added.map(toPublished(this.did)),
      previous: before.filter((r) => r.status === 'active').map(toPublished(this.did)),
      tokenKeys,
    };
  }

  /** Removes every `previous` key from the document and deletes its private material. */
  async retire(): Promise<PublishedKey[]> {
    const previous = (await this.liveRows()).filter((row) => row.status === 'previous');
    if (previous.length === 0) {
      throw new IdentityError('no_keys_to_retire', 'there is no previous key to retire; rotate first');
    }
    const retiredAt = this.now().toISOString();
    for (const row of previous) {
      await this.repository.update({ kid: row.kid }, { status: 'retired', retiredAt });
      await this.vault.removeKey(this.did, row.kid);
    }
    await this.tokenKeys.retire();
    await this.reload();
    return previous.map(toPublished(this.did));
  }

  private lastUnknownKeyReload = Number.NEGATIVE_INFINITY;
  private unknownKeyReload: Promise<boolean> | undefined;

  /**
   * A signature names a key of this DID that the loaded document lacks: perhaps another
   * replica or the CLI rotated the keys since the last load. Reloads the key set, at most once
   * per `unknownKeyReloadIntervalMs` (callers arriving meanwhile share the reload under way);
   * answers true when the keys were reloaded, so the caller looks the key up once more.
   */
  async reloadForUnknownKey(): Promise<boolean> {
    if (this.unknownKeyReload) return this.unknownKeyReload;
    if (Date.now() - this.lastUnknownKeyReload < this.unknownKeyReloadIntervalMs) return false;
    this.lastUnknownKeyReload = Date.now();
    this.unknownKeyReload = this.reload()
      .then(() => true)
      .finally(() => {
        this.unknownKeyReload = undefined;
      });
    return this.unknownKeyReload;
  }

  /** Forgets the cached keys so the next call reads the database. */
  invalidate(): void {
    this.loaded = undefined;
  }

  private refreshing: Promise<void> | undefined;

  /**
   * The loaded keys. Past the TTL they are refreshed in the background while the loaded ones
   * keep serving: a signature inside a database transaction must never wait for a second
   * connection (with a full pool that would deadlock).
   */
  private async keys(): Promise<LoadedKeys> {
    if (!this.loaded) await this.reload();
    else if (Date.now() - this.loaded.at > this.cacheTtlMs && !this.refreshing) {
      this.refreshing = this.reload()
        .catch(() => {})
        .finally(() => {
          this.refreshing = undefined;
        });
    }
    return this.loaded as LoadedKeys;
  }

  private async liveRows(): Promise<IdentityKeyRow[]> {
    const rows = await this.repository.find({
      where: { did: this.did },
      order: { createdAt: 'ASC', kid: 'ASC' },
    });
    return rows.filter((row) => row.status !== 'retired');
  }

  private async refuseForeignIdentity(): Promise<void> {
    const foreign = await this.repository
      .createQueryBuilder('key')
      .where('key.did <> :did', { did: this.did })
      .andWhere('key.status <> :retired', { retired: 'retired' })
      .getOne();
    if (foreign) {
      throw new IdentityError(
        'did_mismatch',
        `the database holds the identity ${foreign.did} but PUBLIC_URL makes the service ${this.did}; ` +
          'use the PUBLIC_URL the identity was created for, or a new DATA_DIR / DATABASE_URL',
      );
    }
  }

  private async create(): Promise<void> {
    try {
      const vaultKeys: VaultKey[] = (await this.vault.hasDid(this.did))
        ? [await this.vault.addKey(this.did, 'Ed25519')]
        : [await this.vault.createDid(this.did)];
      vaultKeys.push(await this.vault.addKey(this.did, 'Secp256r1'));
      const rows = await Promise.all(vaultKeys.map((key) => this.rowFor(key)));
      await this.repository.insert(rows);
    } catch (error) {
      // Another replica created the identity at the same moment: use its keys.
      if (!isUniqueViolation(error) && (await this.liveRows()).length === 0) throw error;
    }
  }

  private async rowFor(key: VaultKey): Promise<IdentityKeyRow> {
    const publicJwk = publicJwkOf(privateKeyObject(key.type, await this.vault.privateKey(key.kid)));
    return {
      kid: key.kid,
      did: this.did,
      fragment: await calculateJwkThumbprint(publicJwk, 'sha256'),
      algorithm: ALGORITHM_OF[key.type],
      publicJwk: JSON.stringify(publicJwk),
      status: 'active',
      createdAt: this.now().toISOString(),
      retiredAt: null,
    };
  }

  private async reload(): Promise<void> {
    const rows = await this.liveRows();
    const signing = new Map<SigningAlgorithm, SigningKey>();
    for (const row of rows) {
      // Decrypting every live key also proves the secret is the right one.
      const type: VaultKeyType = row.algorithm === 'EdDSA' ? 'Ed25519' : 'Secp256r1';
      const privateKey = privateKeyObject(type, await this.vault.privateKey(row.kid));
      if (row.status === 'active') {
        signing.set(row.algorithm, {
          kid: `${this.did}#${row.fragment}`,
          algorithm: row.algorithm,
          privateKey,
          publicJwk: JSON.parse(row.publicJwk) as JWK,
        });
      }
    }
    const published = rows.map(toPublished(this.did));
    this.loaded = {
      at: Date.now(),
      published,
      document: deepFreeze(buildDidDocument(this.did, published)),
      signing,
    };
  }
}

function toPublished(did: string): (row: IdentityKeyRow) => PublishedKey {
  return (row) => ({
    id: `${did}#${row.fragment}`,
    algorithm: row.algorithm,
    publicJwk: JSON.parse(row.publicJwk) as JWK,
    status: row.status,
    createdAt: row.createdAt,
  });
}
