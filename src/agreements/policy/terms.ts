/**
 * How the terms of connectors' ODRL JSON-LD are read without a JSON-LD processor: a term may be
 * given short (`eq`), as a compact IRI (`odrl:eq`), as a full IRI
 * (`http://www.w3.org/ns/odrl/2/eq`), or as a node reference (`{"@id": "odrl:eq"}`). Only the
 * contexts in ALLOWED_CONTEXTS are accepted, so that no context can rename a term behind our
 * back; nothing is ever fetched.
 */
import { invalid, unsupported } from './errors.js';

export const ODRL_NS = 'http://www.w3.org/ns/odrl/2/';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema#';
export const DPV_NS = 'https://w3id.org/dpv#';

/** The ODRL context as connectors send it. */
export const ODRL_CONTEXT = 'http://www.w3.org/ns/odrl.jsonld';

/**
 * Remote contexts accepted by URL (never fetched): the ODRL 2.2 context and the Eclipse
 * Dataspace Protocol contexts, which define the ODRL terms as the ODRL context does.
 */
export const ALLOWED_CONTEXTS: readonly string[] = [
  ODRL_CONTEXT,
  'https://www.w3.org/ns/odrl.jsonld',
  'https://w3id.org/dspace/2024/1/context.jsonld',
  'https://w3id.org/dspace/2025/1/context.jsonld',
];

/** Prefix definitions an inline context may make: exactly these prefixes to exactly these namespaces. */
export const ALLOWED_PREFIXES: Readonly<Record<string, string>> = Object.freeze({
  odrl: ODRL_NS,
  dpv: DPV_NS,
  xsd: XSD_NS,
});

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON Pointer (RFC 6901) of a member of `path`. */
export function at(path: string, member: string | number): string {
  return `${path}/${String(member).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** Checks `@context`: absent, an allowed URL, an inline prefix map, or an array of these. */
export function checkContext(value: unknown, path: string): void {
  const items = Array.isArray(value) ? value : [value];
  items.forEach((item, index) => {
    const itemPath = Array.isArray(value) ? at(path, index) : path;
    if (typeof item === 'string') {
      if (!ALLOWED_CONTEXTS.includes(item))
        throw unsupported(itemPath, item, `context "${item}" is not accepted`);
      return;
    }
    if (!isObject(item)) throw invalid(itemPath, 'a context is a URL or an object of prefix definitions');
    for (const [prefix, namespace] of Object.entries(item)) {
      if (ALLOWED_PREFIXES[prefix] !== namespace)
        throw unsupported(
          at(itemPath, prefix),
          prefix,
          `the context may only define ${Object.keys(ALLOWED_PREFIXES).join(', ')} as their standard namespaces`,
        );
    }
  });
}

/**
 * The short ODRL name of a term (`eq` for `eq`, `odrl:eq`, the full IRI or `{"@id": ...}`), or
 * the term as given (an IRI or compact IRI of another vocabulary) when it is not ODRL's.
 */
export function termName(value: unknown, path: string): string {
  let raw = value;
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1 || typeof value['@id'] !== 'string')
      throw invalid(path, 'a term is a string or {"@id": "..."}');
    raw = value['@id'];
  }
  if (typeof raw !== 'string' || raw.length === 0) throw invalid(path, 'a term is a non-empty string');
  if (raw.startsWith(ODRL_NS)) return raw.slice(ODRL_NS.length);
  if (raw.startsWith('odrl:')) return raw.slice('odrl:'.length);
  return raw;
}

/** A term that must be one of `allowed` (by its short ODRL name); unsupported otherwise. */
export function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: string,
  what: string,
): T {
  const name = termName(value, path);
  if (!(allowed as readonly string[]).includes(name))
    throw unsupported(path, name, `${what} "${name}" is not in the policy profile`);
  return name as T;
}

/** The short XSD name of a datatype (`dateTime` for `xsd:dateTime` or the full IRI); the term as given otherwise. */
export function xsdName(value: unknown, path: string): string {
  const name = termName(value, path);
  if (name.startsWith(XSD_NS)) return name.slice(XSD_NS.length);
  if (name.startsWith('xsd:')) return name.slice('xsd:'.length);
  return name;
}

/** A JSON-LD member that holds one or more values: `x`, `[x, ...]` or `{"@list": [...]}`. */
export function many(value: unknown, path: string): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value) && Object.hasOwn(value, '@list')) {
    if (Object.keys(value).length !== 1 || !Array.isArray(value['@list']))
      throw invalid(path, '@list must be the only member and hold an array');
    return value['@list'];
  }
  return [value];
}

/** The keys of an object by their short ODRL names; refuses the same key given twice in two spellings. */
export function members(object: JsonObject, path: string): Map<string, unknown> {
  const result = new Map<string, unknown>();
  for (const [key, value] of Object.entries(object)) {
    // JSON has no undefined; a member set to undefined by a caller in code is absent.
    if (value === undefined) continue;
    let name = key.startsWith(ODRL_NS)
      ? key.slice(ODRL_NS.length)
      : key.startsWith('odrl:')
        ? key.slice(5)
        : key;
    if (name === '@id') name = 'uid';
    if (result.has(name)) throw invalid(at(path, key), `"${name}" is given twice`);
    result.set(name, value);
  }
  return result;
}

/** Refuses every member not in `allowed`, naming it. */
export function onlyMembers(
  found: ReadonlyMap<string, unknown>,
  allowed: readonly string[],
  path: string,
): void {
  for (const name of found.keys()) {
    if (!allowed.includes(name)) throw unsupported(at(path, name), name, `"${name}" is not supported here`);
  }
}
