import { createHash } from 'node:crypto';

/**
 * Rulebooks are serialised with the service's RFC 8785 canonical JSON, so equal rulebooks give
 * equal strings (and hashes) whatever the key order or format (YAML or JSON) of their file.
 */
export { canonicalJson } from '../json/canonical.js';

/** Lower-case hex SHA-256 of a string's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
