/**
 * SD-JWT VC types of the data space: `credential-schemas/{Type}/sd-jwt/v1.json` says, for a
 * data-space credential type, the `vct` the service publishes for it (a path under PUBLIC_URL's
 * `/vct/`, or an absolute URI), which claims are selectively disclosable, display labels, and a
 * JSON Schema (2020-12) of the payload after disclosure. The `vct` maps back to the type for
 * the trusted-issuer registry, and the service serves each as SD-JWT VC type metadata
 * (SD-JWT VC §6) at `${PUBLIC_URL}/vct/{name}`.
 *
 * A type defined elsewhere (the EU PID, `urn:eudi:pid:1`) names its claims its own way
 * (`personal_administrative_number`, not the rulebook's `personalIdentifier`): its
 * `subjectClaims` maps each data-model subject claim the rulebook may name to the claim path
 * of the SD-JWT VC, so that the login asks the wallet for the PID's own claim and reads it
 * back under the rulebook's name.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { TYPE_PATTERN } from '../schemas/schema-id.js';
import { ALWAYS_VISIBLE_CLAIMS } from './checks/disclosures.js';

export interface SdJwtType {
  /** The data-space credential type, e.g. `MembershipCredential`. */
  readonly type: string;
  readonly vct: string;
  /** The last path segment under `/vct/` when the service publishes the vct, else undefined. */
  readonly published?: string;
  readonly name: string;
  readonly description?: string;
  readonly selectivelyDisclosable: readonly string[];
  readonly claims: Readonly<Record<string, string>>;
  /**
   * Data-model subject claim (dotted, under `credentialSubject`) → its dotted claim path in the
   * SD-JWT VC; a claim not listed keeps its name.
   */
  readonly subjectClaims: Readonly<Record<string, string>>;
  readonly validate?: ValidateFunction;
}

export interface VctRegistry {
  byVct(vct: string): SdJwtType | undefined;
  byType(type: string): SdJwtType | undefined;
  /** SD-JWT VC type metadata (§6.2) of a published vct name. */
  metadata(name: string): Record<string, unknown> | undefined;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** A dotted claim path: segments of letters, digits and underscores. */
const CLAIM_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function subjectClaimsOf(value: unknown, fail: (why: string) => Error): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw fail('subjectClaims must be an object of claim paths');
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [name, path] of entries) {
    if (!CLAIM_PATH.test(name) || name === 'id' || typeof path !== 'string' || !CLAIM_PATH.test(path))
      throw fail(`subjectClaims.${name} must map a subject claim (not id) to a dotted claim path`);
  }
  const targets = entries.map(([, path]) => path as string);
  if (new Set(targets).size !== targets.length) throw fail('subjectClaims maps two claims to one path');
  return Object.fromEntries(entries) as Record<string, string>;
}

export function vctUrl(publicUrl: string, name: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/vct/${name}`;
}

/** Reads every `{Type}/sd-jwt/v1.json` under `dir`; throws naming the file on anything malformed. */
export function loadVctRegistry(dir: string, publicUrl: string): VctRegistry {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormatsModule.default(ajv);
  const types: SdJwtType[] = [];
  const entries = existsSync(dir) ? readdirSync(dir) : [];
  for (const type of entries.filter((name) => TYPE_PATTERN.test(name))) {
    const file = join(dir, type, 'sd-jwt', 'v1.json');
    if (!existsSync(file)) continue;
    const fail = (why: string) => new Error(`${file}: ${why}`);
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw fail(`not valid JSON: ${(error as Error).message}`);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw fail('must be a JSON object');
    const vct = doc.vct;
    if (typeof vct !== 'string' || vct.length === 0) throw fail('vct must be a non-empty string');
    const published = NAME.test(vct) ? vct : undefined;
    if (!published && !URL.canParse(vct)) throw fail('vct is a name (a-z, 0-9, -) or an absolute URI');
    const sd = doc.selectivelyDisclosable ?? [];
    if (!Array.isArray(sd) || !sd.every((n) => typeof n === 'string'))
      throw fail('selectivelyDisclosable must be an array of claim names');
    const reserved = sd.filter((n) => ALWAYS_VISIBLE_CLAIMS.includes(n) || n === '_sd' || n === '...');
    if (reserved.length > 0) throw fail(`claims that must stay visible: ${reserved.join(', ')}`);
    if (typeof doc.name !== 'string') throw fail('name must be a string');
    const claims = (doc.claims ?? {}) as Record<string, string>;
    const compile = (schema: unknown) => {
      try {
        return ajv.compile(schema as object);
      } catch (error) {
        throw fail(`the schema does not compile: ${(error as Error).message}`);
      }
    };
    types.push({
      type,
      vct: published ? vctUrl(publicUrl, published) : vct,
      ...(published ? { published } : {}),
      name: doc.name,
      ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
      selectivelyDisclosable: sd as string[],
      claims,
      subjectClaims: subjectClaimsOf(doc.subjectClaims, fail),
      ...(doc.schema !== undefined ? { validate: compile(doc.schema) } : {}),
    });
  }
  const byVct = new Map(types.map((t) => [t.vct, t]));
  const byType = new Map(types.map((t) => [t.type, t]));
  const byName = new Map(types.filter((t) => t.published).map((t) => [t.published as string, t]));
  return {
    byVct: (vct) => byVct.get(vct),
    byType: (type) => byType.get(type),
    metadata(name) {
      const t = byName.get(name);
      if (!t) return undefined;
      return {
        vct: t.vct,
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        display: [{ lang: 'en', name: t.name, ...(t.description ? { description: t.description } : {}) }],
        claims: Object.entries(t.claims).map(([claim, label]) => ({
          path: [claim],
          display: [{ lang: 'en', label }],
          sd: t.selectivelyDisclosable.includes(claim) ? 'always' : 'never',
        })),
      };
    },
  };
}
