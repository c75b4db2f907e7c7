import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { deepFreeze } from '../../json/freeze.js';
import { CredentialSchemaError } from './errors.js';
import { schemaId, TYPE_PATTERN, VERSION_PATTERN } from './schema-id.js';

const JSON_SCHEMA_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

/** One loaded schema: the document as published and its compiled validator. */
export interface CredentialSchema {
  readonly type: string;
  /** `v1`, `v2`, ... */
  readonly version: string;
  /** `urn:dataspace-trust:schema:{type}:{version}`. */
  readonly id: string;
  /** The schema document, deeply frozen. */
  readonly document: Readonly<Record<string, unknown>>;
  readonly file: string;
  readonly validate: ValidateFunction;
}

/**
 * Reads `dir/{Type}/{version}.json` (e.g. `LegalPersonCredential/v1.json`) and compiles each
 * with Ajv in JSON Schema 2020-12 strict mode, all errors, and the ajv-formats formats. Stops
 * the start with a CredentialSchemaError naming the file when one is not JSON, does not declare
 * 2020-12, has an `$id` other than `urn:dataspace-trust:schema:{Type}:{version}`, or does not
 * compile. Other files (a README) and directories whose name is not a type are ignored.
 */
export function loadCredentialSchemas(dir: string): CredentialSchema[] {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormatsModule.default(ajv);
  const schemas: CredentialSchema[] = [];
  for (const type of list(dir).filter((name) => TYPE_PATTERN.test(name) && isDirectory(join(dir, name)))) {
    for (const name of list(join(dir, type)).filter((file) => file.endsWith('.json'))) {
      const file = join(dir, type, name);
      const version = name.slice(0, -'.json'.length);
      if (!VERSION_PATTERN.test(version)) {
        throw new CredentialSchemaError(
          'credential_schema_invalid',
          'the file name must be a version: v1.json, v2.json, ...',
          file,
        );
      }
      schemas.push(compile(ajv, file, type, version));
    }
  }
  return schemas;
}

function compile(ajv: Ajv2020, file: string, type: string, version: string): CredentialSchema {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CredentialSchemaError(
      'credential_schema_invalid_json',
      `not valid JSON: ${(error as Error).message}`,
      file,
    );
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new CredentialSchemaError('credential_schema_invalid', 'a schema must be a JSON object', file);
  }
  const record = document as Record<string, unknown>;
  if (record.$schema !== JSON_SCHEMA_2020_12) {
    throw new CredentialSchemaError(
      'credential_schema_invalid',
      `$schema must be ${JSON_SCHEMA_2020_12}`,
      file,
    );
  }
  const id = schemaId(type, version);
  if (record.$id !== id) {
    throw new CredentialSchemaError(
      'credential_schema_invalid',
      `$id must be ${id} (its directory and file name)`,
      file,
    );
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(record);
  } catch (error) {
    throw new CredentialSchemaError(
      'credential_schema_invalid',
      `not a valid JSON Schema: ${(error as Error).message}`,
      file,
    );
  }
  return Object.freeze({ type, version, id, document: deepFreeze(record), file, validate });
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    throw new CredentialSchemaError(
      'credential_schemas_unreadable',
      `cannot read: ${(error as Error).message}`,
      dir,
    );
  }
}

function isDirectory(path: string): boolean {
  return statSync(path).isDirectory();
}
