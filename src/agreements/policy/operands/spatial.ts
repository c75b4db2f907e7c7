/**
 * `spatial` (ODRL 2.2 Vocabulary §4.18: "A set of identified geospatial locations where the
 * action of the Rule may be exercised"): place codes as strings (NUTS `DE300`, LAU, ISO 3166
 * `DE`), compared upper-cased, as places. NUTS codes are hierarchical by prefix (`DE3` ⊃ `DE30`
 * ⊃ `DE300`): every operator treats a place within a listed one as that place (`eq DE` and
 * `isPartOf [DE]` cover `DE300`; `neq DE` and `isNoneOf [DE]` exclude it). A place containing a
 * listed one, or one whose relation to it cannot be known (another code system, another
 * spelling), makes the constraint `unknown` (below): fail closed. Code: `spatial_not_permitted`.
 */
import { invalid } from '../errors.js';
import type { AtomicConstraint, ConstraintResult } from '../types.js';
import { SET_OPERATORS, type SetFamily } from './operand.js';

const PLACE_CODE = /^[A-Z0-9][A-Z0-9_.:-]{0,63}$/;

/**
 * The country codes NUTS uses (the EU's, EFTA's and candidates'; NUTS writes Greece `EL`).
 * Without the official list of regions the service reads a code as NUTS by its shape: one of
 * these, then up to three letters or digits, one per level.
 */
const NUTS_COUNTRIES = new Set(
  'AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO CH UK ME MK AL RS TR'.split(
    ' ',
  ),
);
/**
 * ISO 3166-1 alpha-3 codes of those countries whose first letters are a NUTS country code
 * (`DEU` is Germany, not a German NUTS 1 region): read as what they are, not as NUTS. No NUTS
 * 2021 region has one of these codes.
 */
const ALPHA3_LIKE_NUTS = new Set(
  'AUT BEL BGR CYP CZE DEU DNK ESP EST FIN FRA HRV HUN IRL ITA LTU LUX LVA MLT NLD POL PRT ROU SWE SVN SVK ISL LIE NOR CHE MKD ALB SRB TUR'.split(
    ' ',
  ),
);
const NUTS = /^[A-Z]{2}[A-Z0-9]{0,3}$/;

function normalise(code: string): string {
  return code.toUpperCase();
}

/** Whether `code` (normalised) has the shape of a NUTS code of a NUTS country. */
function isNuts(code: string): boolean {
  return NUTS.test(code) && NUTS_COUNTRIES.has(code.slice(0, 2)) && !ALPHA3_LIKE_NUTS.has(code);
}

/** A place code as the evaluator compares it (upper-cased), or undefined when it is not one. */
export function placeCode(raw: string): string | undefined {
  const code = normalise(raw);
  return PLACE_CODE.test(code) ? code : undefined;
}

/**
 * How place `place` stands to place `listed` (both normalised): `inside` it (the same code, or a
 * NUTS region within a NUTS region: `DE300` in `DE3`), `contains` it (`DE3` around `DE300`),
 * `disjoint` (two NUTS codes on different branches), or `unknown`: any two different codes of
 * which one is not NUTS (LAU, ISO 3166-2 `DE-BY`, ISO numeric `276`, `DEU`, `EU`, or another
 * spelling such as `DE212.`), whose relation the service cannot know.
 */
export function placeRelation(place: string, listed: string): 'inside' | 'contains' | 'disjoint' | 'unknown' {
  if (place === listed) return 'inside';
  if (!isNuts(place) || !isNuts(listed)) return 'unknown';
  if (place.startsWith(listed)) return 'inside';
  if (listed.startsWith(place)) return 'contains';
  return 'disjoint';
}

/** Whether place `part` lies within place `whole` for certain (both normalised). */
export function placeWithin(part: string, whole: string): boolean {
  return placeRelation(part, whole) === 'inside';
}

export const spatial: SetFamily = {
  kind: 'set',
  leftOperand: 'spatial',
  operators: SET_OPERATORS,
  dataTypes: ['string'],
  code: 'spatial_not_permitted',
  value(raw, path) {
    if (typeof raw !== 'string' || !PLACE_CODE.test(normalise(raw)))
      throw invalid(path, 'a place is a code of letters and digits (NUTS, LAU, ISO 3166)');
    return normalise(raw);
  },
  within: placeWithin,
  evaluate(constraint, request) {
    if (request.spatial === undefined) return 'unknown';
    return evaluatePlace(constraint, normalise(request.spatial));
  },
};

/**
 * A place "is" a listed place when it lies within it: `eq DE` covers `DE300`, and `isNoneOf
 * [DE]` excludes it (literal comparison would let a finer code slip past). A place that contains
 * a listed one (`DE21` asked, `DE212` listed) is partly that place and partly not, and a place
 * whose relation to a listed one cannot be known (codes of different systems, or another
 * spelling: `DE-BY`, `276`, `DE212.`) may be it: either way the constraint is `unknown`, which
 * satisfies no permission and lets a prohibition apply (three-valued logic, evaluate.ts).
 * Attack reviews: a coarser code, and other spellings, slipped past `spatial eq DE212`
 * prohibited.
 */
function evaluatePlace(constraint: AtomicConstraint, place: string): ConstraintResult {
  const right = constraint.rightOperand;
  const listed = (Array.isArray(right) ? (right as readonly string[]) : [String(right)]).map(normalise);
  const relations = listed.map((term) => placeRelation(place, term));
  const inside = relations.includes('inside');
  const maybe = !inside && relations.some((relation) => relation === 'contains' || relation === 'unknown');
  switch (constraint.operator) {
    case 'eq':
    case 'isAnyOf':
    case 'isPartOf':
      return inside ? 'satisfied' : maybe ? 'unknown' : 'not_satisfied';
    case 'neq':
    case 'isNoneOf':
      return inside ? 'not_satisfied' : maybe ? 'unknown' : 'satisfied';
    default:
      return 'not_satisfied';
  }
}
