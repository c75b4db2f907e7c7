import { deepFreeze } from '../json/freeze.js';
import { DidResolutionError } from './errors.js';
import { DID_CORE_RELATIONSHIPS, type DidDocument } from './types.js';

/**
 * Checks that a resolved value has the shape of a DID Core §5 document for exactly the DID
 * that was resolved, and freezes it (resolved documents are cached and shared between
 * callers, so nobody may change one). Key material is not interpreted here: that is key
 * selection's job, per method, when a key is used.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): never {
  throw new DidResolutionError('invalid_document', message);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function checkMethod(method: unknown, where: string): string {
  if (!isRecord(method)) invalid(`${where}: a verification method must be an object`);
  for (const member of ['id', 'type', 'controller'] as const) {
    if (!isNonEmptyString(method[member])) {
      invalid(`${where}: a verification method needs a string "${member}"`);
    }
  }
  if (method.publicKeyJwk !== undefined && !isRecord(method.publicKeyJwk)) {
    invalid(`${where}: publicKeyJwk must be an object`);
  }
  if (method.publicKeyMultibase !== undefined && typeof method.publicKeyMultibase !== 'string') {
    invalid(`${where}: publicKeyMultibase must be a string`);
  }
  return method.id as string;
}

/**
 * Returns the value as a frozen DidDocument, or throws `invalid_document` (wrong shape) or
 * `id_mismatch` (its `id` is not `did`, compared exactly).
 */
export function checkDidDocument(value: unknown, did: string): DidDocument {
  if (!isRecord(value)) invalid('a DID document must be a JSON object');
  if (typeof value.id !== 'string') invalid('a DID document needs a string "id"');
  if (value.id !== did) {
    throw new DidResolutionError(
      'id_mismatch',
      `the document is for ${JSON.stringify(value.id)}, not ${did}`,
    );
  }
  const ids: string[] = [];
  const absolute = (id: string): string => (id.startsWith('#') ? `${did}${id}` : id);
  if (value.verificationMethod !== undefined) {
    if (!Array.isArray(value.verificationMethod)) invalid('verificationMethod must be an array');
    value.verificationMethod.forEach((method, index) => {
      ids.push(absolute(checkMethod(method, `verificationMethod[${index}]`)));
    });
  }
  for (const relationship of DID_CORE_RELATIONSHIPS) {
    const entries = value[relationship];
    if (entries === undefined) continue;
    if (!Array.isArray(entries)) invalid(`${relationship} must be an array`);
    entries.forEach((entry: unknown, index) => {
      if (typeof entry === 'string') {
        if (entry.length === 0) invalid(`${relationship}[${index}]: an empty reference`);
      } else {
        ids.push(absolute(checkMethod(entry, `${relationship}[${index}]`)));
      }
    });
  }
  // Two methods with one id would make a kid mean two keys.
  if (new Set(ids).size !== ids.length) invalid('two verification methods share an id');
  return deepFreeze(value as DidDocument);
}
