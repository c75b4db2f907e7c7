/**
 * The data space's JSON-LD contexts (JSON-LD 1.1), versioned beside the schemas:
 * `{CREDENTIAL_SCHEMAS_DIR}/contexts/{name}/{version}.jsonld`, served at
 * `${PUBLIC_URL}/contexts/{name}/{version}` as `application/ld+json`. The `dataspace` context
 * defines every credential type and subject claim of the data space, so that a JSON-LD
 * processor in safe mode expands our credentials of both data models (VCDM 2.0 §4.3 requires
 * every term to be defined). It is required: a directory without it stops the start.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CredentialSchemaError } from './errors.js';
import { VERSION_PATTERN } from './schema-id.js';

export const DATASPACE_CONTEXT = 'dataspace';
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,49}$/;

export interface JsonLdContext {
  readonly name: string;
  /** `v1`, `v2`, ... */
  readonly version: string;
  /** The file's text as published (byte for byte). */
  readonly text: string;
}

export interface JsonLdContexts {
  get(name: string, version: string): JsonLdContext | undefined;
  /** The highest version of a context. */
  latest(name: string): JsonLdContext | undefined;
}

/** `${PUBLIC_URL}/contexts/{name}/{version}`. */
export function contextUrl(publicUrl: string, name: string, version: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/contexts/${name}/${version}`;
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Reads every `contexts/{name}/{version}.jsonld`; each must be a JSON object with `@context`. */
export function loadJsonLdContexts(schemasDir: string): JsonLdContexts {
  const root = join(schemasDir, 'contexts');
  const found = new Map<string, JsonLdContext[]>();
  for (const name of entries(root).filter((n) => NAME_PATTERN.test(n))) {
    for (const file of entries(join(root, name)).filter((f) => f.endsWith('.jsonld'))) {
      const path = join(root, name, file);
      const version = file.slice(0, -'.jsonld'.length);
      if (!VERSION_PATTERN.test(version))
        throw new CredentialSchemaError('credential_schema_invalid', 'the file name must be a version', path);
      const text = readFileSync(path, 'utf8');
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch (error) {
        throw new CredentialSchemaError('credential_schema_invalid_json', (error as Error).message, path);
      }
      if (document === null || typeof document !== 'object' || !('@context' in document))
        throw new CredentialSchemaError('credential_schema_invalid', 'a context has an @context', path);
      found.set(name, [...(found.get(name) ?? []), { name, version, text }]);
    }
  }
  if (!found.has(DATASPACE_CONTEXT)) {
    throw new CredentialSchemaError(
      'credential_schema_invalid',
      `the ${DATASPACE_CONTEXT} JSON-LD context is missing (contexts/${DATASPACE_CONTEXT}/v1.jsonld)`,
      root,
    );
  }
  const number = (context: JsonLdContext) => Number(context.version.slice(1));
  return {
    get: (name, version) => found.get(name)?.find((c) => c.version === version),
    latest: (name) => [...(found.get(name) ?? [])].sort((a, b) => number(b) - number(a))[0],
  };
}
