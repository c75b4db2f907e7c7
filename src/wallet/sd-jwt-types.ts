/**
 * Which data-space credential type an SD-JWT VC stands for. An SD-JWT VC names no type, only
 * its `vct`: for the trust service that is `${PUBLIC_URL}/vct/{name}` (or an absolute URI such
 * as `urn:eudi:pid:1`), as `credential-schemas/{Type}/sd-jwt/v1.json` defines it. The wallet
 * reads the same files the service reads (its package's own, DEFAULT_SCHEMA_DIR) and resolves
 * the vct for the credential issuer it received the credential from, so that `wallet list
 * --type MembershipCredential` finds the SD-JWT VC as well as the JWT one.
 */
import { fileURLToPath } from 'node:url';
import { loadVctRegistry, type VctRegistry } from '../credentials/sd-jwt/vct.js';

/** The package's own credential schemas (`credential-schemas/` beside `src/` and `dist/`). */
export const DEFAULT_SCHEMA_DIR = fileURLToPath(new URL('../../credential-schemas/', import.meta.url));

const registries = new Map<string, VctRegistry>();

/**
 * The credential type (`MembershipCredential`) the `vct` of an SD-JWT VC received from the
 * credential issuer `issuerUrl` (its PUBLIC_URL) stands for; undefined for a vct the data
 * space's schemas do not define.
 */
export function credentialTypeOfVct(
  vct: string,
  issuerUrl: string,
  schemaDir: string = DEFAULT_SCHEMA_DIR,
): string | undefined {
  const key = `${schemaDir}\n${issuerUrl}`;
  let registry = registries.get(key);
  if (registry === undefined) {
    registry = loadVctRegistry(schemaDir, issuerUrl);
    registries.set(key, registry);
  }
  return registry.byVct(vct)?.type;
}
