import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted by code unit and no whitespace, so equal rulebooks serialise
 * to equal strings whatever the key order or format (YAML or JSON) of their file. For the
 * rulebook's values (strings, integers, booleans, arrays, objects) this is the RFC 8785 (JCS)
 * serialisation.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Lower-case hex SHA-256 of a string's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
