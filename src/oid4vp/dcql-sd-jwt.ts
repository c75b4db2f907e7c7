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
export function sdJwtClaimPath(rulebookPath: string): string[] | undefined {
  if (!rulebookPath.startsWith(SUBJECT_PREFIX)) return undefined;
  const rest = rulebookPath.slice(SUBJECT_PREFIX.length).split('.');
  if (rest.length === 0 || rest.some((segment) => segment.length === 0)) return undefined;
  return rest[0] === 'id' && rest.length === 1 ? ['sub'] : rest;
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
export function sdJwtClaimsOf(rulebookPaths: readonly string[]): { path: string[] }[] | undefined {
  const claims: { path: string[] }[] = [];
  for (const path of rulebookPaths) {
    const mapped = sdJwtClaimPath(path);
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
 * natural person's identifier): `credentialSubject` with `id` = `sub` and the claims at the
 * query's paths, and no other claim.
 */
export function sdJwtView(
  claims: Readonly<Record<string, unknown>>,
  paths: readonly (readonly (string | number)[])[],
): Record<string, unknown> {
  const subject: Record<string, unknown> = {};
  if (typeof claims.sub === 'string') subject.id = claims.sub;
  for (const path of paths) {
    const segments = path.map(String);
    if (segments.length === 1 && segments[0] === 'sub') continue;
    const value = readAt(claims, segments);
    if (value !== undefined) setAt(subject, segments, value);
  }
  return { credentialSubject: subject };
}
