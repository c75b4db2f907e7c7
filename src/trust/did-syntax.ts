/**
 * DID syntax per DID Core §3.1 (W3C Recommendation 2022-07-19):
 *
 *     did                = "did:" method-name ":" method-specific-id
 *     method-name        = 1*method-char            ; %x61-7A / DIGIT
 *     method-specific-id = *( *idchar ":" ) 1*idchar
 *     idchar             = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded
 *
 * Only syntax: no resolution and no normalisation. Two DIDs are the same DID only when their
 * strings are identical (DID Core §3.1 gives no case-insensitive or trailing-dot equivalence).
 */
const IDCHAR = '(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})';
const DID_PATTERN = new RegExp(`^did:[a-z0-9]+:(?:${IDCHAR}*:)*${IDCHAR}+$`);

/** True when `value` is a syntactically valid DID (not a DID URL: no path, query or fragment). */
export function isDid(value: unknown): value is string {
  return typeof value === 'string' && DID_PATTERN.test(value);
}
