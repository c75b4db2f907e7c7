/**
 * RFC 8785 JSON Canonicalization Scheme: object members sorted by the UTF-16 code units of
 * their names, no whitespace, strings and numbers as ECMAScript `JSON.stringify` writes them.
 * The one serialisation the service hashes: audit entries, rulebook versions, issuance
 * requests (idempotency).
 */
/**
 * RFC 8785 canonical JSON of a JSON value. Throws a TypeError for anything that is not JSON
 * (undefined, functions, non-finite numbers, class instances, cycles beyond `maxDepth`).
 */
export function canonicalJson(value: unknown, maxDepth = 64): string {
  return serialise(value, maxDepth);
}

function serialise(value: unknown, depth: number): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} is not a JSON number`);
    return JSON.stringify(value);
  }
  if (depth <= 0) throw new TypeError('the value nests too deeply');
  if (Array.isArray(value)) return `[${value.map((item) => serialise(item, depth - 1)).join(',')}]`;
  if (typeof value === 'object' && isPlainObject(value)) {
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is exactly RFC 8785 §3.2.3.
    const members = Object.keys(record)
      .sort()
      .map((key) => {
        const member = record[key];
        if (member === undefined) throw new TypeError(`member "${key}" is undefined`);
        return `${JSON.stringify(key)}:${serialise(member, depth - 1)}`;
      });
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`a ${typeof value} is not a JSON value`);
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
