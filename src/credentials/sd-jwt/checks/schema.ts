/**
 * `schema` of an SD-JWT VC: the payload after disclosure validates against the JSON Schema
 * that `credential-schemas/{Type}/sd-jwt/v1.json` gives for its `vct` (a local copy: no
 * `vct` URL or `schema_uri` is ever fetched). Selectively disclosable claims are optional in
 * such a schema, so that a holder may leave them out; when shown they must be well-formed.
 * Codes: `schema_violation`; skipped with `no_schema` when the type defines none.
 */
import { type CheckResult, failed, passed, skipped } from '../../verify/result.js';
import type { SdJwtType } from '../vct.js';

export function checkSdJwtSchema(
  known: SdJwtType | undefined,
  claims: Readonly<Record<string, unknown>>,
): CheckResult {
  const validate = known?.validate;
  if (!validate) return skipped('schema', 'no_schema', 'the data space defines no schema for this vct');
  if (validate(claims)) return passed('schema');
  const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
  return failed('schema', 'schema_violation', `${known.type}: ${errors.join('; ')}`);
}
