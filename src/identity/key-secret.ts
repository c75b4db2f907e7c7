import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdentityError } from './errors.js';

export const GENERATED_SECRET_FILE = join('secrets', 'key-encryption.key');

export interface KeySecret {
  readonly secretHex: string;
  /** Where it came from, for the one start-up warning. */
  readonly source: 'configured' | 'generated' | 'file';
  readonly path?: string;
}

/**
 * The secret that encrypts private keys at rest: the configured one, else the one generated
 * earlier into DATA_DIR, else a new one written there with mode 0600 (created exclusively,
 * so two processes starting together cannot each write their own).
 */
export function resolveKeySecret(configured: string | undefined, dataDir: string): KeySecret {
  if (configured !== undefined) return { secretHex: configured, source: 'configured' };
  const path = join(dataDir, GENERATED_SECRET_FILE);
  const existing = readSecretFile(path);
  if (existing !== undefined) return { secretHex: existing, source: 'file', path };
  mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  const secretHex = randomBytes(32).toString('hex');
  try {
    writeFileSync(path, `${secretHex}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { secretHex, source: 'generated', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const raced = readSecretFile(path);
    if (raced === undefined) throw error;
    return { secretHex: raced, source: 'file', path };
  }
}

function readSecretFile(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!/^[0-9a-f]{64}$/i.test(text)) {
    throw new IdentityError('key_secret_mismatch', `${path} does not hold a 64-character hexadecimal secret`);
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return text.toLowerCase();
}
