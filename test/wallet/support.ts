/**
 * Helpers for the wallet tests: temporary wallet directories, a frozen clock, and the
 * verification pipeline's dependencies built from the project's own parts (DID resolver,
 * key selection, schema registry) with a trust stub, so that what the wallet signs is
 * checked by the same code the service runs.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSchemaRegistry,
  loadCredentialSchemas,
  type SchemaRegistry,
} from '../../src/credentials/schemas/index.js';
import { didKeyLookup, registrySchemas } from '../../src/credentials/verify/adapters.js';
import type { IssuerTrust, NonceStore, StatusLookup } from '../../src/credentials/verify/ports.js';
import type { PresentationVerifierDeps } from '../../src/credentials/verify/verify-presentation.js';
import { createDidResolver } from '../../src/did/index.js';

export const PASSPHRASE = 'correct horse battery staple';
export const NOW = new Date('2026-03-01T12:00:00.000Z');
export const frozen =
  (date: Date = NOW) =>
  () =>
    date;
export const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

let schemas: SchemaRegistry | undefined;
/** The data space's schemas, loaded once for all wallet tests. */
export function dataSpaceSchemas(): SchemaRegistry {
  schemas ??= createSchemaRegistry(loadCredentialSchemas('credential-schemas'));
  return schemas;
}

/** A fresh directory under the system temp dir; `dir` is where the wallet goes (not yet created). */
export function tempWalletDir(): { readonly root: string; readonly dir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'dst-wallet-'));
  return { root, dir: join(root, 'wallet'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Trusts exactly these issuer DIDs, for any type. */
export function trustOnly(...issuers: string[]): IssuerTrust {
  return {
    async check({ issuer }) {
      return issuers.includes(issuer) ? { trusted: true } : { trusted: false, code: 'untrusted_issuer' };
    },
  };
}

/** No credential in these tests has a status entry, so the lookup must never be asked. */
export const NEVER_CALLED_STATUS: StatusLookup = {
  async isSet() {
    assert.fail('the status lookup was called');
  },
};

export function memoryNonces(): NonceStore {
  const used = new Set<string>();
  return {
    async consume(scope, nonce) {
      const key = `${scope}\u0000${nonce}`;
      if (used.has(key)) return false;
      used.add(key);
      return true;
    },
  };
}

/** The pipeline's dependencies: real did:key / did:jwk resolution and schemas, a trust stub. */
export function verifierDeps(trust: IssuerTrust, now: Date = NOW): PresentationVerifierDeps {
  return {
    keys: didKeyLookup(createDidResolver({ developmentMode: true })),
    trust,
    schemas: registrySchemas(dataSpaceSchemas()),
    statuses: NEVER_CALLED_STATUS,
    nonces: memoryNonces(),
    now: () => now,
  };
}

/** The decoded header and payload of a compact JWS (no verification). */
export function decode(jws: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = jws.split('.') as [string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
  };
}

/** Asserts that `promise` rejects with an error of this `code`. */
export async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, code, String(error));
    return true;
  });
}
