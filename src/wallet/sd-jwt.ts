/**
 * SD-JWT VCs in the holder wallet (RFC 9901, SD-JWT VC `dc+sd-jwt`): reading one for the store,
 * the claims it holds with where each disclosure sits, and the presentation for a DCQL query:
 * only the disclosures on the asked claim paths (RFC 9901 §7.2; OpenID4VP 1.0 §7), followed by
 * a key binding JWT (`typ` `kb+jwt`; `iat`, `aud` = the verifier's client_id, its `nonce`, and
 * `sd_hash` over the presented SD-JWT, §4.3) signed with the key in `cnf`.
 *
 * Parsing uses the pipeline's strict compact parser (a shared, pure model); nothing here decides
 * trust: the verifier checks every signature and digest.
 */
import { type ParsedSdJwt, parseSdJwt, SdJwtFormatError } from '../credentials/sd-jwt/compact.js';
import type { PublicJwk } from '../did/index.js';
import { WalletError } from './errors.js';

export const SD_JWT_FORMAT = 'dc+sd-jwt';
export const KB_JWT_TYP = 'kb+jwt';

export type ClaimPath = readonly (string | number | null)[];

/** A disclosure and the claim path it discloses (array elements by index). */
interface Located {
  readonly path: readonly (string | number)[];
  readonly encoded: string;
}

/** Parses a stored SD-JWT VC (no key binding JWT); `invalid_credential` otherwise. */
export function parseStoredSdJwt(token: string): ParsedSdJwt {
  let parsed: ParsedSdJwt;
  try {
    parsed = parseSdJwt(token);
  } catch (error) {
    if (error instanceof SdJwtFormatError)
      throw new WalletError('invalid_credential', `not an SD-JWT: ${error.message}`, [], { cause: error });
    throw error;
  }
  if (parsed.kbJwt !== undefined)
    throw new WalletError('invalid_credential', 'a stored SD-JWT VC carries no key binding JWT');
  if (parsed.jws.header.typ !== SD_JWT_FORMAT)
    throw new WalletError('invalid_credential', `an SD-JWT VC has typ ${SD_JWT_FORMAT}`);
  if (typeof parsed.jws.payload.vct !== 'string' || typeof parsed.jws.payload.iss !== 'string')
    throw new WalletError('invalid_credential', 'an SD-JWT VC names its vct and iss');
  return parsed;
}

/** The holder key of `cnf.jwk`, when the credential has one. */
export function confirmationKey(parsed: ParsedSdJwt): Record<string, unknown> | undefined {
  const cnf = parsed.jws.payload.cnf as { jwk?: unknown } | undefined;
  return cnf?.jwk !== null && typeof cnf?.jwk === 'object' ? (cnf.jwk as Record<string, unknown>) : undefined;
}

export const sameJwk = (a: Record<string, unknown>, b: PublicJwk): boolean =>
  a.kty === b.kty && a.crv === b.crv && a.x === b.x && a.y === (b as { y?: string }).y;

/**
 * The claims with every disclosure put in place, and where each disclosure sits. Disclosures
 * whose digest no `_sd` or `...` names are left out (the verifier would refuse them anyway).
 */
export function disclosedClaims(parsed: ParsedSdJwt): {
  claims: Record<string, unknown>;
  located: Located[];
} {
  const byDigest = new Map(parsed.disclosures.map((d) => [d.digest, d]));
  const located: Located[] = [];
  const walk = (value: unknown, path: readonly (string | number)[]): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const element of value) {
        const digest = (element as { '...'?: unknown } | null)?.['...'];
        if (element !== null && typeof element === 'object' && typeof digest === 'string') {
          const disclosure = byDigest.get(digest);
          if (disclosure && disclosure.name === undefined) {
            located.push({ path: [...path, out.length], encoded: disclosure.encoded });
            out.push(walk(disclosure.value, [...path, out.length]));
          }
        } else out.push(walk(element, [...path, out.length]));
      }
      return out;
    }
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(value)) {
      if (name === '_sd' || name === '_sd_alg') continue;
      out[name] = walk(member, [...path, name]);
    }
    const digests = (value as { _sd?: unknown })._sd;
    for (const digest of Array.isArray(digests) ? digests : []) {
      const disclosure = byDigest.get(String(digest));
      if (disclosure?.name === undefined) continue;
      located.push({ path: [...path, disclosure.name], encoded: disclosure.encoded });
      out[disclosure.name] = walk(disclosure.value, [...path, disclosure.name]);
    }
    return out;
  };
  const claims = walk(parsed.jws.payload, []) as Record<string, unknown>;
  return { claims, located };
}

/** The value at a DCQL claim path (`null` selects every array element, §7.1). */
export function valuesAt(document: unknown, path: ClaimPath): unknown[] {
  let current: unknown[] = [document];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const value of current) {
      if (segment === null) {
        if (Array.isArray(value)) next.push(...value);
      } else if (typeof segment === 'number') {
        if (Array.isArray(value) && segment < value.length) next.push(value[segment]);
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && segment in value) {
        next.push((value as Record<string, unknown>)[segment]);
      }
    }
    current = next;
  }
  return current.filter((value) => value !== undefined && value !== null && value !== '');
}

/** Whether disclosure path `at` lies on (is a prefix of) the query path `path`. */
function onPath(at: readonly (string | number)[], path: ClaimPath): boolean {
  if (at.length > path.length) return false;
  return at.every((segment, index) => {
    const asked = path[index];
    return asked === null ? typeof segment === 'number' : asked === segment;
  });
}

/** The SD-JWT with only the disclosures on `paths`, ending in `~` (the input of `sd_hash`). */
export function selectDisclosures(token: string, paths: readonly ClaimPath[]): string {
  const parsed = parseStoredSdJwt(token);
  const { located } = disclosedClaims(parsed);
  const chosen = located.filter((disclosure) => paths.some((path) => onPath(disclosure.path, path)));
  const issuerJwt = token.split('~')[0] as string;
  return `${[issuerJwt, ...new Set(chosen.map((d) => d.encoded))].join('~')}~`;
}
