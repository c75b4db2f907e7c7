/**
 * The service's OpenID Connect token keys: RSA (2048-bit) keys that sign ID tokens, userinfo
 * and introspection answers for relying parties that ask for RS256 (OpenID Connect Core §15.1
 * and Discovery §3 make RS256 mandatory to implement for an OP). They never sign credentials and
 * are never in the DID document: the DID's keys stay EdDSA and ES256. Created with the DID's
 * keys, rotated and retired with them (`keys rotate|retire`); the private key is in the vault,
 * encrypted with the key-encryption secret like every other.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Repository } from 'typeorm';
import { inTransaction } from '../db/index.js';
import { type KeyStatus, TokenKeyEntity, type TokenKeyRow } from './entities.js';
import type { KeyVault } from './key-vault.js';

export const TOKEN_KEY_BITS = 2048;

/** A key that signs tokens only. */
export interface TokenSigningKey {
  /** The JWK thumbprint (RFC 7638), the JWS `kid`. */
  readonly kid: string;
  readonly algorithm: 'RS256';
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

export class TokenKeys {
  constructor(
    private readonly repository: Repository<TokenKeyRow>,
    private readonly vault: KeyVault,
    private readonly did: string,
    private readonly now: () => Date,
  ) {}

  /** Creates the first key when there is no active one (a new service, or one created before RS256). */
  async ensure(): Promise<void> {
    if ((await this.repository.findBy({ did: this.did, status: 'active' })).length === 0) {
      await this.repository.insert(await this.generate());
    }
  }

  /** The active keys, newest last, with their private keys decrypted. */
  async active(): Promise<TokenSigningKey[]> {
    const rows = await this.repository.find({
      where: { did: this.did, status: 'active' },
      order: { createdAt: 'ASC', kid: 'ASC' },
    });
    const keys: TokenSigningKey[] = [];
    for (const row of rows) {
      const der = await this.vault.privateKey(row.kid);
      keys.push({
        kid: row.kid,
        algorithm: 'RS256',
        privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
        publicJwk: JSON.parse(row.publicJwk) as JWK,
      });
    }
    return keys;
  }

  /** The keys still in use (active and previous), oldest first; no private material. */
  async listed(): Promise<{ kid: string; algorithm: 'RS256'; status: KeyStatus; createdAt: string }[]> {
    const rows = await this.repository.find({
      where: [
        { did: this.did, status: 'active' },
        { did: this.did, status: 'previous' },
      ],
      order: { createdAt: 'ASC', kid: 'ASC' },
    });
    return rows.map((row) => ({
      kid: row.kid,
      algorithm: row.algorithm,
      status: row.status,
      createdAt: row.createdAt,
    }));
  }

  /** Adds a new key; the active ones become `previous`. Returns the new and the previous kids. */
  async rotate(): Promise<{ added: string[]; previous: string[] }> {
    const before = await this.repository.findBy({ did: this.did, status: 'active' });
    const added = await this.generate();
    await inTransaction(this.repository.manager.connection, undefined, async (manager) => {
      const repository = manager.getRepository(TokenKeyEntity);
      for (const row of before) await repository.update({ kid: row.kid }, { status: 'previous' });
      await repository.insert(added);
    });
    return { added: [added.kid], previous: before.map((row) => row.kid) };
  }

  /** Retires the previous keys and deletes their private material. */
  async retire(): Promise<string[]> {
    const previous = await this.repository.findBy({ did: this.did, status: 'previous' });
    const retiredAt = this.now().toISOString();
    for (const row of previous) {
      await this.repository.update({ kid: row.kid }, { status: 'retired', retiredAt });
      await this.vault.removeLooseKey(row.kid);
    }
    return previous.map((row) => row.kid);
  }

  private async generate(): Promise<TokenKeyRow> {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: TOKEN_KEY_BITS });
    const exported = publicKey.export({ format: 'jwk' }) as JWK;
    const publicJwk: JWK = { kty: 'RSA', n: exported.n, e: exported.e };
    const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
    await this.vault.storeLooseKey(kid, 'RSA', privateKey.export({ format: 'der', type: 'pkcs8' }));
    return {
      kid,
      did: this.did,
      algorithm: 'RS256',
      publicJwk: JSON.stringify(publicJwk),
      status: 'active',
      createdAt: this.now().toISOString(),
      retiredAt: null,
    };
  }
}
