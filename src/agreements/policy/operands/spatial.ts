/**
 * `spatial` (ODRL 2.2 Vocabulary §4.18: "A set of identified geospatial locations where the
 * action of the Rule may be exercised"): place codes as strings (NUTS `DE300`, LAU, ISO 3166
 * `DE`), compared upper-cased, as places: every operator treats a place within a listed one as
 * that place (`eq DE` and `isPartOf [DE]` cover `DE300`; `neq DE` and `isNoneOf [DE]` exclude
 * it), and a place containing a listed one as partly that place (`unknown`, below). NUTS codes are hierarchical by prefix (`DE3` ⊃ `DE30` ⊃ `DE300`), so a NUTS code lies
 * within every NUTS code that is a prefix of it. Other codes (LAU) lie only within themselves. Code:
 * `spatial_not_permitted`.
 */
import { invalid } from '../errors.js';
import type { AtomicConstraint, ConstraintResult } from '../types.js';
import { SET_OPERATORS, type SetFamily } from './operand.js';

const PLACE_CODE = /^[A-Z0-9][A-Z0-9_.:-]{0,63}$/;
/** NUTS: a country code (two letters) followed by up to three characters, one per level. */
const NUTS = /^[A-Z]{2}[A-Z0-9]{0,3}$/;

function normalise(code: string): string {
  return code.toUpperCase();
}

/** A place code as the evaluator compares it (upper-cased), or undefined when it is not one. */
export function placeCode(raw: string): string | undefined {
  const code = normalise(raw);
  return PLACE_CODE.test(code) ? code : undefined;
}

/** Whether place `part` lies within place `whole` (both normalised). */
export function placeWithin(part: string, whole: string): boolean {
  if (part === whole) return true;
  return NUTS.test(part) && NUTS.test(whole) && part.startsWith(whole);
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
 * [DE]` excludes it (literal comparison would let a finer code slip past). A place that only
 * contains a listed one (`DE21` asked, `DE212` listed) is neither inside nor outside it: part of
 * it is the listed place and part is not, so the constraint is `unknown`, which satisfies no
 * permission and lets a prohibition apply (three-valued logic, evaluate.ts). Otherwise a coarser
 * code would slip past a prohibition or an exclusion of a region inside it (attack review:
 * `spatial eq DE212` prohibited, `DE21` asked, permitted).
 */
function evaluatePlace(constraint: AtomicConstraint, place: string): ConstraintResult {
  const right = constraint.rightOperand;
  const listed = (Array.isArray(right) ? (right as readonly string[]) : [String(right)]).map(normalise);
  const inside = listed.some((term) => placeWithin(place, term));
  const straddles = !inside && listed.some((term) => placeWithin(term, place));
  switch (constraint.operator) {
    case 'eq':
    case 'isAnyOf':
    case 'isPartOf':
      return inside ? 'satisfied' : straddles ? 'unknown' : 'not_satisfied';
    case 'neq':
    case 'isNoneOf':
      return inside ? 'not_satisfied' : straddles ? 'unknown' : 'satisfied';
    default:
      return 'not_satisfied';
  }
}
