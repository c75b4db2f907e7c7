import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { deepFreeze } from '../json/freeze.js';
import { isDid } from '../trust/index.js';
import { RulebookError } from './errors.js';
import { Rulebook } from './rulebook.js';
import { consistencyProblems } from './semantics.js';
import type { RulebookDocument } from './types.js';

/** The format's schema file, shipped beside the rulebook. */
export const RULEBOOK_SCHEMA_FILE = 'rulebook.schema.json';

/**
 * The schema shipped with the package (rulebook/ beside src/ and dist/): a RULEBOOK_DIR of
 * the operator's own is validated against the same format, never against a copy it brings.
 */
const SHIPPED_SCHEMA = new URL(`../../rulebook/${RULEBOOK_SCHEMA_FILE}`, import.meta.url);

let compiled: ValidateFunction<RulebookDocument> | undefined;

function validator(): ValidateFunction<RulebookDocument> {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true });
  ajv.addFormat('did', isDid);
  compiled = ajv.compile<RulebookDocument>(JSON.parse(readFileSync(SHIPPED_SCHEMA, 'utf8')));
  return compiled;
}

/**
 * Validates a rulebook document (as parsed from YAML or JSON, or proposed in an amendment)
 * and returns the Rulebook. The editor-only `$schema` is dropped first: it is not content and
 * not hashed. Throws RulebookError, its message starting with `source`: `rulebook_invalid`
 * listing every way the document departs from rulebook.schema.json, else
 * `rulebook_inconsistent` listing every rule the schema cannot express that it breaks (see
 * consistencyProblems).
 */
export function parseRulebook(value: unknown, source: string): Rulebook {
  const content = withoutSchemaLink(value);
  const validate = validator();
  if (!validate(content)) {
    throw new RulebookError(
      'rulebook_invalid',
      unique(relevant(validate.errors ?? []).map(describe)).join('; '),
      source,
    );
  }
  const document = deepFreeze(structuredClone(content));
  const problems = consistencyProblems(document);
  if (problems.length > 0) throw new RulebookError('rulebook_inconsistent', problems.join('; '), source);
  return new Rulebook(document, source);
}

function withoutSchemaLink(value: unknown): unknown {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    !Object.hasOwn(value, '$schema')
  ) {
    return value;
  }
  const { $schema: _link, ...rest } = value as Record<string, unknown>;
  return rest;
}

const PATTERN_MEANING: Readonly<Record<string, string>> = {
  '\\S': 'must not be blank',
  '^did:[a-z0-9]+$': 'must be a DID method such as did:web',
  '^[a-z][a-z0-9]*(-[a-z0-9]+)*$': 'must be a role id: lower-case words joined by hyphens',
  '^[A-Za-z][A-Za-z0-9_.-]{0,127}$': 'must be a credential type such as LegalPersonCredential',
  '^credentialSubject(\\.[A-Za-z_@$][A-Za-z0-9_@$-]*)+$':
    'must be a claim path such as credentialSubject.legalName',
  '^(dpv|pd):[A-Z][A-Za-z0-9]{0,99}$': 'must be a DPV term such as dpv:ServiceProvision or pd:Location',
  '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$': 'must be a language tag such as en or pt-BR',
};

/** One schema error as a phrase naming the field, e.g. `/decisions missing required property renew`. */
function describe(error: ErrorObject): string {
  const where = error.instancePath || '(document)';
  const value = JSON.stringify(error.data);
  switch (error.keyword) {
    case 'required':
      return `${where} missing required property ${(error.params as { missingProperty: string }).missingProperty}`;
    case 'additionalProperties':
      return `${where} has unknown property ${(error.params as { additionalProperty: string }).additionalProperty}`;
    case 'format':
      return `${where} ${value} is not a syntactically valid DID (DID Core §3.1)`;
    case 'not':
      return `${where} must not be VerifiableCredential (the base type is implied)`;
    case 'anyOf':
      return `${where} must be "trust-anchors" or a non-empty list of distinct issuer DIDs`;
    case 'oneOf':
      return `${where} must be { credentialType, path } or { credentialType, derived: "membership-status" }`;
    case 'propertyNames':
      return `${where} has an invalid property name ${JSON.stringify((error.params as { propertyName: string }).propertyName)}`;
    case 'pattern': {
      if (where === '/version') {
        return `/version ${value} must be a semantic version MAJOR.MINOR.PATCH (optionally -pre.release; no +build)`;
      }
      const meaning = PATTERN_MEANING[(error.params as { pattern: string }).pattern];
      return `${where} ${value} ${meaning ?? error.message ?? 'is invalid'}`;
    }
    case 'type':
      return `${where} ${error.message ?? 'has the wrong type'}${where === '/version' ? ' (quote the version in YAML: "1.0.0")' : ''}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * An anyOf/oneOf also reports why each branch failed. At its own location its message says
 * it all; errors deeper inside (a bad DID in a list of issuers) are kept, they name the culprit.
 */
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  const alternatives = new Set(
    errors
      .filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf')
      .map((error) => error.instancePath),
  );
  return errors.filter(
    (error) => !(/\/(anyOf|oneOf)\/\d+\//.test(error.schemaPath) && alternatives.has(error.instancePath)),
  );
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
