/**
 * Semantic Versioning 2.0.0 (semver.org) for rulebook versions: MAJOR.MINOR.PATCH with an
 * optional pre-release. Build metadata is not allowed, so that two different version strings
 * never have equal precedence.
 */
const IDENT = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const SEMVER = new RegExp(
  `^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(?:-(${IDENT}(?:\\.${IDENT})*))?$`,
);

export function isSemver(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && SEMVER.test(value);
}

/**
 * Compares by semver §11 precedence: negative when `a` is lower, positive when higher, 0 when
 * equal. A pre-release is lower than its release (1.0.0-rc.1 < 1.0.0); numeric identifiers
 * compare numerically and below alphanumeric ones. Throws a RangeError for a non-version.
 */
export function compareSemver(a: string, b: string): number {
  const [pa, pb] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const diff = compareNumeric(pa.core[i] as string, pb.core[i] as string);
    if (diff !== 0) return diff;
  }
  if (pa.pre.length === 0 || pb.pre.length === 0) return pb.pre.length - pa.pre.length;
  for (let i = 0; i < Math.min(pa.pre.length, pb.pre.length); i++) {
    const diff = compareIdentifier(pa.pre[i] as string, pb.pre[i] as string);
    if (diff !== 0) return diff;
  }
  return pa.pre.length - pb.pre.length;
}

function parse(version: string): { core: string[]; pre: string[] } {
  const match = SEMVER.exec(version);
  if (!match || version.length > 64)
    throw new RangeError(`${JSON.stringify(version)} is not a semantic version`);
  return { core: [match[1], match[2], match[3]] as string[], pre: match[4]?.split('.') ?? [] };
}

const NUMERIC = /^[0-9]+$/;

function compareIdentifier(a: string, b: string): number {
  const [na, nb] = [NUMERIC.test(a), NUMERIC.test(b)];
  if (na && nb) return compareNumeric(a, b);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares digit strings without leading zeros of any length (no Number overflow). */
function compareNumeric(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
