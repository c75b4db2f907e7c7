/**
 * `disclosures` (RFC 9901 §7.1 "Verification of the SD-JWT", steps 3–5; SD-JWT VC §3.2.2.2).
 * Rebuilds the payload from the issuer-signed JWT and the disclosures, failing closed:
 *
 * - `_sd_alg` absent (SHA-256) or `sha-256`; anything else is `unsupported_sd_alg` (§4.1.1:
 *   this service computes no other digest).
 * - Each digest in an `_sd` array or an array element `{"...": digest}` is embedded at most
 *   once in the whole payload (`duplicate_digest`); each disclosure is sent once
 *   (`duplicate_disclosure`), and each sent disclosure is referenced by exactly one digest
 *   (`unreferenced_disclosure`: a tampered disclosure hashes to a digest nobody signed).
 * - An object-property digest must meet a three-element disclosure, an array-element digest a
 *   two-element one (`malformed_disclosure`); `_sd` must be an array of strings, an array
 *   element with `...` must have no other key (`malformed_disclosure`).
 * - A disclosed claim name is never `_sd` or `...`, and at the top level never one of the
 *   claims SD-JWT VC §3.2.2.2 keeps always visible: `iss`, `nbf`, `exp`, `cnf`, `vct`,
 *   `vct#integrity`, `status` (`reserved_claim`); nor a name already in its object
 *   (`claim_collision`, §7.1 step 3.c.ii.4).
 *
 * Digests without a disclosure are decoys (§4.2.5) and are dropped. The answer holds the
 * processed payload: `_sd` and `_sd_alg` removed, disclosed claims in place.
 */

import { type CheckResult, failed, passed } from '../../verify/result.js';
import type { Disclosure } from '../compact.js';

/** Claims that SD-JWT VC §3.2.2.2 forbids to disclose selectively. */
export const ALWAYS_VISIBLE_CLAIMS: readonly string[] = [
  'iss',
  'nbf',
  'exp',
  'cnf',
  'vct',
  'vct#integrity',
  'status',
];

class DisclosureError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function checkDisclosures(
  payload: Readonly<Record<string, unknown>>,
  disclosures: readonly Disclosure[],
): { result: CheckResult; claims?: Record<string, unknown> } {
  const alg = payload._sd_alg;
  if (alg !== undefined && alg !== 'sha-256')
    return {
      result: failed('disclosures', 'unsupported_sd_alg', `_sd_alg ${JSON.stringify(alg)} is not sha-256`),
    };
  const byDigest = new Map<string, Disclosure>();
  for (const disclosure of disclosures) {
    if (byDigest.has(disclosure.digest))
      return { result: failed('disclosures', 'duplicate_disclosure', 'a disclosure is sent twice') };
    byDigest.set(disclosure.digest, disclosure);
  }
  const seen = new Set<string>();
  const used = new Set<string>();

  function digestOf(value: unknown): string {
    if (typeof value !== 'string')
      throw new DisclosureError('malformed_disclosure', 'a digest is not a string');
    if (seen.has(value)) throw new DisclosureError('duplicate_digest', 'a digest is embedded twice');
    seen.add(value);
    return value;
  }

  function walk(value: unknown, topLevel: boolean): unknown {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const element of value) {
        if (isObject(element) && '...' in element) {
          if (Object.keys(element).length !== 1)
            throw new DisclosureError('malformed_disclosure', 'an array element with "..." has other keys');
          const disclosure = byDigest.get(digestOf(element['...']));
          if (!disclosure) continue; // a decoy
          if (disclosure.name !== undefined)
            throw new DisclosureError(
              'malformed_disclosure',
              'an array element is disclosed with a claim name',
            );
          used.add(disclosure.digest);
          out.push(walk(disclosure.value, false));
        } else {
          out.push(walk(element, false));
        }
      }
      return out;
    }
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === '_sd' || (topLevel && key === '_sd_alg')) continue;
      out[key] = walk(child, false);
    }
    if (value._sd !== undefined) {
      if (!Array.isArray(value._sd)) throw new DisclosureError('malformed_disclosure', '_sd is not an array');
      for (const entry of value._sd) {
        const disclosure = byDigest.get(digestOf(entry));
        if (!disclosure) continue; // a decoy
        const name = disclosure.name;
        if (name === undefined)
          throw new DisclosureError('malformed_disclosure', 'a claim is disclosed without a name');
        if (name === '_sd' || name === '...' || (topLevel && ALWAYS_VISIBLE_CLAIMS.includes(name)))
          throw new DisclosureError('reserved_claim', `the claim ${name} must not be disclosed selectively`);
        if (Object.hasOwn(out, name) || (topLevel && name === '_sd_alg'))
          throw new DisclosureError('claim_collision', `the claim ${name} is both disclosed and in clear`);
        used.add(disclosure.digest);
        out[name] = walk(disclosure.value, false);
      }
    }
    return out;
  }

  try {
    const claims = walk(payload, true) as Record<string, unknown>;
    if (used.size !== byDigest.size)
      return {
        result: failed(
          'disclosures',
          'unreferenced_disclosure',
          'a disclosure is not referenced by the issuer',
        ),
      };
    return { result: passed('disclosures'), claims };
  } catch (error) {
    if (error instanceof DisclosureError) return { result: failed('disclosures', error.code, error.message) };
    throw error;
  }
}
