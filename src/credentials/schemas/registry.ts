import type { ErrorObject } from 'ajv/dist/2020.js';
import type { CredentialSchema } from './loader.js';
import { VERSION_PATTERN } from './schema-id.js';

/** One reason a credential does not fit its schema; `path` is a JSON Pointer into the credential. */
export interface SchemaViolation {
  readonly path: string;
  readonly message: string;
}

export type SchemaValidationResult =
  | { readonly valid: true; readonly schema: string }
  | {
      readonly valid: false;
      /** `unknown_schema`: no schema for that type (and version); `schema_violation`: see errors. */
      readonly code: 'unknown_schema' | 'schema_violation';
      readonly errors: readonly SchemaViolation[];
    };

/** The data space's credential schemas, by type and version. */
export interface SchemaRegistry {
  /** The latest version for a type. */
  forType(type: string): CredentialSchema | undefined;
  get(type: string, version: string): CredentialSchema | undefined;
  /** Validates a credential in data-model form against the type's schema (latest unless a version is given). Never throws. */
  validate(type: string, credential: unknown, version?: string): SchemaValidationResult;
  /** Every schema, by type then version. */
  list(): readonly CredentialSchema[];
}

/** A registry over loaded schemas (see loadCredentialSchemas). */
export function createSchemaRegistry(schemas: readonly CredentialSchema[]): SchemaRegistry {
  const ordered = [...schemas].sort((a, b) =>
    a.type < b.type ? -1 : a.type > b.type ? 1 : versionNumber(a.version) - versionNumber(b.version),
  );
  const byKey = new Map(ordered.map((schema) => [`${schema.type}/${schema.version}`, schema]));
  const latest = new Map(ordered.map((schema) => [schema.type, schema])); // later versions overwrite earlier ones

  const get = (type: string, version: string) => byKey.get(`${type}/${version}`);
  const forType = (type: string) => latest.get(type);
  return {
    forType,
    get,
    list: () => ordered,
    validate(type, credential, version) {
      const schema = version === undefined ? forType(type) : get(type, version);
      if (!schema) {
        const which = version === undefined ? type : `${type} ${version}`;
        return {
          valid: false,
          code: 'unknown_schema',
          errors: [{ path: '', message: `no credential schema for ${which}` }],
        };
      }
      if (schema.validate(credential)) return { valid: true, schema: schema.id };
      return {
        valid: false,
        code: 'schema_violation',
        errors: (schema.validate.errors ?? []).map(violation),
      };
    },
  };
}

function versionNumber(version: string): number {
  return Number(VERSION_PATTERN.exec(version)?.[1] ?? 0);
}

/** Ajv's error as a violation; a missing property is reported at its own path. */
function violation(error: ErrorObject): SchemaViolation {
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return { path: `${error.instancePath}/${escapePointer(missing)}`, message: 'is required' };
  }
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  const message =
    error.keyword === 'enum' && allowed && allowed.length > 10
      ? `must be one of the ${allowed.length} allowed values`
      : (error.message ?? 'is invalid');
  return { path: error.instancePath, message };
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
