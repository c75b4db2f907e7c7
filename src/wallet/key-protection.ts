/**
 * Encryption of the wallet's private key at rest: AES-256-GCM under a key derived with scrypt
 * (RFC 7914) from the passphrase and a random 16-byte salt, a fresh 12-byte IV per encryption,
 * and the wallet's DID as additional authenticated data, so an encrypted key moved into another
 * wallet's file does not decrypt there. A wrong passphrase fails the GCM tag check and is
 * reported as `wrong_passphrase`; nothing about the key is learned from the failure.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  type KeyObject,
  randomBytes,
  type ScryptOptions,
  scrypt,
} from 'node:crypto';
import { WalletError } from './errors.js';

/** The stored form of the encrypted private key (all binary members base64url). */
export interface EncryptedKey {
  readonly kdf: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
  readonly cipher: 'A256GCM';
  readonly iv: string;
  readonly tag: string;
  /** The PKCS#8 DER of the private key, encrypted. */
  readonly ciphertext: string;
}

/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, about 0.1 s), the RFC 7914 §2 interactive setting raised once. */
export const SCRYPT_COST = { N: 2 ** 15, r: 8, p: 1 } as const;
// Upper bounds for parameters read back from a file, so a tampered file cannot make opening hang.
const MAX_COST = { N: 2 ** 20, r: 16, p: 4 } as const;

function deriveKey(
  passphrase: string,
  salt: Buffer,
  cost: { N: number; r: number; p: number },
): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

const aad = (did: string): Buffer => Buffer.from(`dataspace-trust-wallet:v1:${did}`, 'utf8');

export async function encryptPrivateKey(
  privateKey: KeyObject,
  passphrase: string,
  did: string,
): Promise<EncryptedKey> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(passphrase, salt, SCRYPT_COST);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(did));
  const plaintext = privateKey.export({ format: 'der', type: 'pkcs8' });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  plaintext.fill(0);
  key.fill(0);
  return {
    kdf: 'scrypt',
    ...SCRYPT_COST,
    salt: salt.toString('base64url'),
    cipher: 'A256GCM',
    iv: iv.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
  };
}

function corrupt(message: string): never {
  throw new WalletError('wallet_corrupt', `the encrypted private key ${message}`);
}

function bytes(value: unknown, name: string, length?: number): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) corrupt(`has no base64url "${name}"`);
  const decoded = Buffer.from(value, 'base64url');
  if (length !== undefined && decoded.length !== length) corrupt(`"${name}" is not ${length} bytes`);
  return decoded;
}

function cost(value: unknown, name: 'N' | 'r' | 'p'): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > MAX_COST[name]) {
    corrupt(`has an scrypt ${name} outside 1..${MAX_COST[name]}`);
  }
  return value as number;
}

/** Decrypts the private key; `wrong_passphrase` when the tag does not verify, `wallet_corrupt` when the record is malformed. */
export async function decryptPrivateKey(
  stored: unknown,
  passphrase: string,
  did: string,
): Promise<KeyObject> {
  if (typeof stored !== 'object' || stored === null) corrupt('is missing');
  const record = stored as Record<string, unknown>;
  if (record.kdf !== 'scrypt' || record.cipher !== 'A256GCM') corrupt('uses an unknown kdf or cipher');
  const N = cost(record.N, 'N');
  if ((N & (N - 1)) !== 0 || N < 2) corrupt('has an scrypt N that is not a power of two');
  const key = await deriveKey(passphrase, bytes(record.salt, 'salt'), {
    N,
    r: cost(record.r, 'r'),
    p: cost(record.p, 'p'),
  });
  const decipher = createDecipheriv('aes-256-gcm', key, bytes(record.iv, 'iv', 12)).setAAD(aad(did));
  decipher.setAuthTag(bytes(record.tag, 'tag', 16));
  let plaintext: Buffer;
  try {
    plaintext = Buffer.concat([decipher.update(bytes(record.ciphertext, 'ciphertext')), decipher.final()]);
  } catch (cause) {
    throw new WalletError('wrong_passphrase', 'the passphrase does not open this wallet', [], { cause });
  } finally {
    key.fill(0);
  }
  try {
    return createPrivateKey({ key: plaintext, format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new WalletError('wallet_corrupt', 'the decrypted private key does not import', [], { cause });
  } finally {
    plaintext.fill(0);
  }
}
