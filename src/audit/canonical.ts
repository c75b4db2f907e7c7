/**
 * The canonical serialisation and hash of an audit entry.
 *
 * `hash = lowercase hex( SHA-256( UTF-8( JCS(body) ) ) )`, where JCS is the JSON
 * Canonicalization Scheme of RFC 8785 (object members sorted by the UTF-16 code units of their
 * names, no whitespace, strings and numbers serialised as ECMAScript `JSON.stringify` does) and
 * `body` is the JSON object with exactly these seven members (shown here in their sorted order):
 *
 * | member     | value                                                               |
 * |------------|---------------------------------------------------------------------|
 * | `actor`    | string: a DID, `operator` or `service`                              |
 * | `at`       | string: ISO-8601 UTC time, `Date.prototype.toISOString()` form      |
 * | `data`     | the entry's data as a JSON value (an object for every entry written) |
 * | `kind`     | string, e.g. `governance.vote.cast`                                  |
 * | `prevHash` | string: the previous entry's `hash`; 64 zeros for sequence 1         |
 * | `sequence` | number: 1, 2, 3... with no gaps                                      |
 * | `subject`  | string, or `null` when the event has no subject                      |
 *
 * For example (a test vector in test/audit/canonical.test.ts), the first entry
 * `{"actor":"operator","at":"2025-01-01T00:00:00.000Z","data":{"hash":"ab","version":"1.0"},
 * "kind":"rulebook.adopted","prevHash":"0000…0000" (64 zeros),"sequence":1,"subject":null}`
 * (one line, no spaces) hashes to
 * `28cebc3663ccedb481a88454d2a3637e8d89c41df00b78d10bb23eb8b511022b`.
 * The `data` column stores `JCS(data)`, so a third party can recompute every hash from the
 * public `GET /api/v1/audit` listing with any RFC 8785 implementation.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../json/canonical.js';

export { canonicalJson };

/** The `prevHash` of the first entry: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** A JSON value. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** The fields of an entry that its hash covers. */
export interface HashedFields {
  readonly sequence: number;
  readonly at: string;
  readonly kind: string;
  readonly actor: string;
  readonly subject: string | null;
  readonly data: JsonValue;
  readonly prevHash: string;
}

/** The canonical serialisation of an entry, the exact bytes (as UTF-8) that its hash covers. */
export function canonicalEntry(fields: HashedFields): string {
  return canonicalJson({
    actor: fields.actor,
    at: fields.at,
    data: fields.data,
    kind: fields.kind,
    prevHash: fields.prevHash,
    sequence: fields.sequence,
    subject: fields.subject,
  });
}

/** SHA-256 (lowercase hex) of the entry's canonical serialisation. */
export function entryHash(fields: HashedFields): string {
  return createHash('sha256').update(canonicalEntry(fields), 'utf8').digest('hex');
}
