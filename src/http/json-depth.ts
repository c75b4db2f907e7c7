/**
 * The nesting depth of a JSON text, measured on the text itself in one linear pass, before it
 * is parsed: no recursion, so a 20,000-deep array costs a loop, not a stack. Deeply nested
 * values parse fine but break every recursive step after parsing (JSON.stringify, schema
 * validation, canonicalisation: "Maximum call stack size exceeded"), so they are refused up
 * front.
 */

/** The deepest nesting of objects and arrays accepted in a JSON request body or JWS part. */
export const MAX_JSON_DEPTH = 32;

/** True when `text` opens more than `limit` objects or arrays inside one another. */
export function jsonDeeperThan(text: string, limit: number = MAX_JSON_DEPTH): boolean {
  // Fast path: nesting can never exceed the number of `{` and `[` in the text (inside strings
  // or not). Counting them with the native indexOf is several times cheaper than the scan
  // below, and it settles every credential and request body of ordinary shape.
  if (openersAtMost(text, limit)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** True when `text` holds at most `limit` `{` and `[` characters together. */
function openersAtMost(text: string, limit: number): boolean {
  let count = 0;
  for (const opener of ['{', '[']) {
    for (let i = text.indexOf(opener); i !== -1; i = text.indexOf(opener, i + 1)) {
      if (++count > limit) return false;
    }
  }
  return true;
}
