/**
 * The one place Veramo is used for the service identity. It keeps the DID and its private
 * keys, encrypted at rest with the key-encryption secret (libsodium secret box). Nothing
 * Veramo-shaped leaves this file: callers see DIDs, key ids and raw key bytes.
 */
import { createAgent, type IDIDManager, type IKeyManager, type TAgent } from '@veramo/core';
import { DIDStore, KeyStore, PrivateKeyStore } from '@veramo/data-store';
import { DIDManager } from '@veramo/did-manager';
import { WebDIDProvider } from '@veramo/did-provider-web';
import { KeyManager } from '@veramo/key-manager';
import { KeyManagementSystem, SecretBox } from '@veramo/kms-local';
import type { DataSource } from 'typeorm';
import { KeyDecryptionError } from './errors.js';

export type VaultKeyType = 'Ed25519' | 'Secp256r1';

export interface VaultKey {
  readonly kid: string;
  readonly type: VaultKeyType;
}

export interface KeyVault {
  /** The DID if the vault holds it. */
  hasDid(did: string): Promise<boolean>;
  /** Creates the did:web with a first Ed25519 key; returns that key. */
  createDid(did: string): Promise<VaultKey>;
  /** Generates a key and attaches it to the DID. */
  addKey(did: string, type: VaultKeyType): Promise<VaultKey>;
  /** Detaches the key from the DID and deletes its private material. */
  removeKey(did: string, kid: string): Promise<void>;
  /** The decrypted private key bytes; throws when the secret does not decrypt them. */
  privateKey(kid: string): Promise<Buffer>;
  /**
   * Stores a private key that belongs to no DID (an OpenID Connect token key: RSA PKCS#8 DER),
   * encrypted like the others, under `alias`.
   */
  storeLooseKey(alias: string, type: 'RSA', der: Buffer): Promise<void>;
  /** Deletes the private material of a key stored with `storeLooseKey`. */
  removeLooseKey(alias: string): Promise<void>;
}

const KMS = 'local';
const PROVIDER = 'did:web';

export function createKeyVault(dataSource: DataSource, secretHex: string): KeyVault {
  const privateKeys = new PrivateKeyStore(dataSource, new SecretBox(secretHex));
  const agent: TAgent<IDIDManager & IKeyManager> = createAgent<IDIDManager & IKeyManager>({
    plugins: [
      new KeyManager({
        store: new KeyStore(dataSource),
        kms: { [KMS]: new KeyManagementSystem(privateKeys) },
      }),
      new DIDManager({
        store: new DIDStore(dataSource),
        defaultProvider: PROVIDER,
        providers: { [PROVIDER]: new WebDIDProvider({ defaultKms: KMS }) },
      }),
    ],
  });

  return {
    async hasDid(did) {
      try {
        await agent.didManagerGet({ did });
        return true;
      } catch {
        return false;
      }
    },
    async createDid(did) {
      const identifier = await agent.didManagerCreate({
        provider: PROVIDER,
        kms: KMS,
        alias: did.slice('did:web:'.length),
        options: { keyType: 'Ed25519' },
      });
      const key = identifier.keys[0];
      if (!key) throw new Error('Veramo created a DID without a key');
      return { kid: key.kid, type: 'Ed25519' };
    },
    async addKey(did, type) {
      const key = await agent.keyManagerCreate({ kms: KMS, type });
      await agent.didManagerAddKey({ did, key });
      return { kid: key.kid, type };
    },
    async removeKey(did, kid) {
      await agent.didManagerRemoveKey({ did, kid });
      await agent.keyManagerDelete({ kid });
    },
    async storeLooseKey(alias, type, der) {
      await privateKeys.importKey({ alias, type, privateKeyHex: der.toString('hex') });
    },
    async removeLooseKey(alias) {
      await privateKeys.deleteKey({ alias });
    },
    async privateKey(kid) {
      const stored = await privateKeys.getKey({ alias: kid });
      // Veramo's SecretBox answers a failed decryption with an empty string instead of an
      // error: a wrong secret would otherwise look like a key of zero bytes.
      if (!stored.privateKeyHex || !/^[0-9a-f]+$/i.test(stored.privateKeyHex))
        throw new KeyDecryptionError(kid);
      return Buffer.from(stored.privateKeyHex, 'hex');
    },
  };
}
