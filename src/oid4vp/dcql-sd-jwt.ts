/**
 * DCQL for SD-JWT VCs (OpenID4VP 1.0 §6, Appendix B.3): a credential query of format
 * `dc+sd-jwt` names the accepted types by `meta.vct_values` (§B.3.5) and the claims it needs by
 * claim paths into the SD-JWT VC's payload after disclosure (§7). The rulebook writes its paths
 * in the data-model form of a W3C credential (`credentialSubject.legalName`); the same claim of
 * an SD-JWT VC sits at the top level (`legalName`), and the subject's identifier is `sub`.
 *
 * Where the data space publishes an SD-JWT VC type for a credential type (credential-schemas/
 * {Type}/sd-jwt/v1.json), every query for that type gets a `dc+sd-jwt` alternative, and a
 * credential set (§6.2) says that either answers: a wallet holding the credential in either
 * format can log in.
 *
 * A type defined outside the data space (the EU PID) names its claims its own way: the type's
 * `subjectClaims` (credential-schemas/{Type}/sd-jwt/v1.json) maps the rulebook's subject claim
 * to the SD-JWT VC's claim path, both when the query is built and when the claim is read back.
 *
 * Only the claims a query asked for are used: the verified credential's data-model view built
 * here holds the subject identifier and those claims, and nothing else the holder disclosed.
 */
import type { VctRegistry } from '../credentials/sd-jwt/vct.js';

export const SD_JWT_FORMAT = 'dc+sd-jwt';
/** The id of the `dc+sd-jwt` alternative of a credential query. */
export const sdJwtQueryId = (id: string): string => `${id}-sd-jwt`;

const SUBJECT_PREFIX = 'credentialSubject.';

/**
 * The SD-JWT VC claim path of a rulebook path: `credentialSubject.id` → `sub`,
 * `credentialSubject.a.b` → `a`, `b`; undefined for a path outside the subject (an SD-JWT VC
 * has no such claim of the holder's).
 */
export function sdJwtClaimPath(
  rulebookPath: string,
  subjectClaims: Readonly<Record<string, string>> = {},
): string[] | undefined {
  if (!rulebookPath.startsWith(SUBJECT_PREFIX)) return undefined;
  const claim = rulebookPath.slice(SUBJECT_PREFIX.length);
  const rest = claim.split('.');
  if (rest.length === 0 || rest.some((segment) => segment.length === 0)) return undefined;
  if (rest[0] === 'id' && rest.length === 1) return ['sub'];
  const mapped = Object.hasOwn(subjectClaims, claim) ? subjectClaims[claim] : undefined;
  return mapped !== undefined ? mapped.split('.') : rest;
}

/**
 * The `subjectClaims` of the one SD-JWT VC type standing for these credential types, or none
 * (several types, as in the `openid` query, ask for no claim).
 */
export function subjectClaimsOf(
  vcts: VctRegistry | undefined,
  types: readonly string[],
): Readonly<Record<string, string>> {
  if (!vcts || types.length !== 1) return {};
  return vcts.byType(types[0] as string)?.subjectClaims ?? {};
}

/** The `vct` values that stand for these credential types; empty when none has an SD-JWT VC type. */
export function vctValuesOf(vcts: VctRegistry | undefined, types: readonly string[]): string[] {
  if (!vcts) return [];
  return types.flatMap((type) => {
    const known = vcts.byType(type);
    return known ? [known.vct] : [];
  });
}

/**
 * The `dc+sd-jwt` claims of a query from its rulebook paths; undefined when some path has no
 * SD-JWT VC form (then no SD-JWT VC can answer the query, and no alternative is offered).
 */
export function sdJwtClaimsOf(
  rulebookPaths: readonly string[],
  subjectClaims: Readonly<Record<string, string>> = {},
): { path: string[] }[] | undefined {
  const claims: { path: string[] }[] = [];
  for (const path of rulebookPaths) {
    const mapped = sdJwtClaimPath(path, subjectClaims);
    if (!mapped) return undefined;
    claims.push({ path: mapped });
  }
  return claims;
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let current = target;
  for (const segment of path.slice(0, -1)) {
    const next = current[segment];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) current[segment] = {};
    current = current[segment] as Record<string, unknown>;
  }
  current[path[path.length - 1] as string] = value;
}

function readAt(claims: unknown, path: readonly string[]): unknown {
  let current: unknown = claims;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * The data-model view of an SD-JWT VC's claims that the login reads (claim mapping, the
 * natural person's identifier): `credentialSubject` with `id` = the credential's subject and
 * the claims at the query's paths, each under its rulebook name (`subjectClaims` read
 * backwards), and no other claim.
 */
export function sdJwtView(
  claims: Readonly<Record<string, unknown>>,
  paths: readonly (readonly (string | number)[])[],
  options: { readonly subject?: string; readonly subjectClaims?: Readonly<Record<string, string>> } = {},
): Record<string, unknown> {
  const subject: Record<string, unknown> = {};
  const id = options.subject ?? (typeof claims.sub === 'string' ? claims.sub : undefined);
  if (id !== undefined) subject.id = id;
  const rulebookNames = new Map(
    Object.entries(options.subjectClaims ?? {}).map(([name, path]) => [path, name] as const),
  );
  for (const path of paths) {
    const segments = path.map(String);
    if (segments.length === 1 && segments[0] === 'sub') continue;
    const value = readAt(claims, segments);
    const name = rulebookNames.get(segments.join('.'));
    if (value !== undefined) setAt(subject, name !== undefined ? name.split('.') : segments, value);
  }
  return { credentialSubject: subject };
}
