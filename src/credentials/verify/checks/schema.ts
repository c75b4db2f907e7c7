/**
 * `schema`: the credential, in data-model form, validates against the data space's JSON
 * Schema for each of its types that the data space defines. Schemas are local copies; a
 * `credentialSchema` URL in the credential is never fetched. Skipped (`no_schema`) only when
 * the data space defines none of the credential's types.
 */
import type { SchemaValidation } from '../ports.js';
import { type CheckResult, failed, passed, skipped } from '../result.js';

export function checkSchema(
  schemas: SchemaValidation,
  types: readonly string[],
  document: Readonly<Record<string, unknown>>,
): CheckResult {
  const known = schemas.typesWithSchema(types);
  if (known.length === 0)
    return skipped('schema', 'no_schema', 'the data space defines no schema for these types');
  for (const type of known) {
    const result = schemas.validate(type, document);
    if (!result.valid)
      return failed('schema', 'schema_violation', `${type}: ${result.errors.slice(0, 5).join('; ')}`);
  }
  return passed('schema');
}
