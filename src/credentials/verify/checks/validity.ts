/**
 * `validity` (RFC 7519 §4.1.4–4.1.6; VCDM 1.1 §4.6 and §4.7; VCDM 2.0 §4.9). `exp`, `nbf`
 * and `iat` must be numbers; `expirationDate`, `issuanceDate`, `validFrom` and `validUntil`
 * must be date-time strings. Every bound present is enforced with one clock skew
 * (CLOCK_SKEW_SECONDS, documented in docs/verification.md) in the holder's favour. With
 * `maxAgeSeconds` (presentations) the token must say when it was made, by `iat` or else `nbf`.
 */
import { type CheckResult, failed, passed } from '../result.js';

export const CLOCK_SKEW_SECONDS = 60;

export interface ValidityClaims {
  readonly exp?: unknown;
  readonly nbf?: unknown;
  readonly iat?: unknown;
  readonly validFrom?: unknown;
  readonly validUntil?: unknown;
  readonly issuanceDate?: unknown;
  readonly expirationDate?: unknown;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function seconds(name: string, value: unknown): number | undefined | Error {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return new Error(`${name} is not a NumericDate`);
  return value;
}

function dateSeconds(name: string, value: unknown): number | undefined | Error {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DATE_TIME.test(value))
    return new Error(`${name} is not an XML Schema dateTime`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return new Error(`${name} is not a valid date`);
  return ms / 1000;
}

export function checkValidity(
  claims: ValidityClaims,
  now: Date,
  options: { skewSeconds?: number; maxAgeSeconds?: number } = {},
): CheckResult {
  const skew = options.skewSeconds ?? CLOCK_SKEW_SECONDS;
  const nowSeconds = now.getTime() / 1000;
  const notAfter: Array<[string, number | undefined | Error]> = [
    ['exp', seconds('exp', claims.exp)],
    ['validUntil', dateSeconds('validUntil', claims.validUntil)],
    ['expirationDate', dateSeconds('expirationDate', claims.expirationDate)],
  ];
  const notBefore: Array<[string, number | undefined | Error]> = [
    ['nbf', seconds('nbf', claims.nbf)],
    ['iat', seconds('iat', claims.iat)],
    ['validFrom', dateSeconds('validFrom', claims.validFrom)],
    ['issuanceDate', dateSeconds('issuanceDate', claims.issuanceDate)],
  ];
  for (const [, value] of [...notAfter, ...notBefore]) {
    if (value instanceof Error) return failed('validity', 'malformed', value.message);
  }
  for (const [name, value] of notAfter) {
    if (typeof value === 'number' && nowSeconds - skew >= value)
      return failed('validity', 'expired', `${name} has passed`);
  }
  for (const [name, value] of notBefore) {
    if (typeof value === 'number' && value > nowSeconds + skew) {
      return failed('validity', 'not_yet_valid', `${name} is in the future`);
    }
  }
  if (options.maxAgeSeconds !== undefined) {
    // The presentation's time: `iat`, or where it is absent `nbf` (the VC-JWT 1.1 mapping of
    // VCDM 1.1 §6.3.1 that did-jwt-vc and Veramo follow); one age bound for both.
    const iat = seconds('iat', claims.iat);
    const made = iat ?? seconds('nbf', claims.nbf);
    if (made === undefined)
      return failed('validity', 'missing_iat', 'a presentation must say when it was made (iat or nbf)');
    if (typeof made === 'number' && nowSeconds - made > options.maxAgeSeconds + skew) {
      return failed('validity', 'expired', `the presentation is older than ${options.maxAgeSeconds} seconds`);
    }
  }
  return passed('validity');
}
