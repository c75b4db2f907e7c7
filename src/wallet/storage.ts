/**
 * The wallet directory (mode 0700):
 * - `wallet.json` (mode 0600): the DID, its kid, method and algorithm, the public JWK and the
 *   private key encrypted as in key-protection.ts. Written once, exclusively.
 * - `credentials.json` (mode 0600): the stored credentials, replaced atomically (write to a
 *   temporary file, then rename) so a crash never leaves half a file.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PublicJwk } from '../did/index.js';
import { describeCredential, type StoredCredential } from './credential-record.js';
import { WalletError } from './errors.js';
import type { EncryptedKey } from './key-protection.js';
import {
  DID_METHODS,
  type DidIdentity,
  type DidMethod,
  WALLET_ALGORITHMS,
  type WalletAlgorithm,
} from './keys.js';

export const IDENTITY_FILE = 'wallet.json';
export const CREDENTIALS_FILE = 'credentials.json';
const FORMAT_VERSION = 1;

export interface IdentityRecord extends DidIdentity {
  readonly version: typeof FORMAT_VERSION;
  readonly createdAt: string;
  readonly privateKey: EncryptedKey;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parsed file, or undefined when it does not exist. */
function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new WalletError('wallet_corrupt', `${path} is not JSON`);
  }
}

/** Writes the identity of a new wallet; `wallet_exists` when the directory has one already. */
export function writeIdentity(dir: string, record: IdentityRecord): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, IDENTITY_FILE);
  try {
    writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new WalletError('wallet_exists', `${dir} holds a wallet already`);
    }
    throw error;
  }
  chmodSync(path, 0o600); // whatever the umask did
}

/** Reads and checks the identity record; `wallet_not_found` or `wallet_corrupt`. */
export function readIdentity(dir: string): IdentityRecord {
  const path = join(dir, IDENTITY_FILE);
  const value = readJson(path);
  if (value === undefined) {
    throw new WalletError('wallet_not_found', `no wallet in ${dir} (create one with "wallet create")`);
  }
  if (!isRecord(value)) throw new WalletError('wallet_corrupt', `${path} is not a JSON object`);
  if (value.version !== FORMAT_VERSION) {
    throw new WalletError(
      'wallet_corrupt',
      `${path} has format version ${String(value.version)}, not ${FORMAT_VERSION}`,
    );
  }
  const { did, kid, method, algorithm, publicJwk, createdAt, privateKey } = value;
  if (
    typeof did !== 'string' ||
    typeof kid !== 'string' ||
    !kid.startsWith(`${did}#`) ||
    !DID_METHODS.includes(method as DidMethod) ||
    !WALLET_ALGORITHMS.includes(algorithm as WalletAlgorithm) ||
    !isRecord(publicJwk) ||
    typeof createdAt !== 'string' ||
    !isRecord(privateKey)
  ) {
    throw new WalletError('wallet_corrupt', `${path} is not a wallet identity`);
  }
  return {
    version: FORMAT_VERSION,
    did,
    kid,
    method: method as DidMethod,
    algorithm: algorithm as WalletAlgorithm,
    publicJwk: publicJwk as PublicJwk,
    createdAt,
    privateKey: privateKey as unknown as EncryptedKey,
  };
}

/** The stored credentials (none when the file does not exist yet). */
export function readCredentials(dir: string): StoredCredential[] {
  const path = join(dir, CREDENTIALS_FILE);
  const value = readJson(path);
  if (value === undefined) return [];
  if (!isRecord(value) || value.version !== FORMAT_VERSION || !Array.isArray(value.credentials)) {
    throw new WalletError('wallet_corrupt', `${path} is not a credential store`);
  }
  return value.credentials.map((entry, index) => {
    if (!isRecord(entry) || typeof entry.jwt !== 'string' || typeof entry.addedAt !== 'string') {
      throw new WalletError('wallet_corrupt', `${path}: entry ${index} has no jwt`);
    }
    return describeCredential(entry.jwt, entry.addedAt, entry.credentialType);
  });
}

export function writeCredentials(dir: string, credentials: readonly StoredCredential[]): void {
  const path = join(dir, CREDENTIALS_FILE);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify({ version: FORMAT_VERSION, credentials }, null, 2)}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
