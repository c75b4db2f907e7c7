/**
 * `spatial` (ODRL 2.2 Vocabulary §4.18: "A set of identified geospatial locations where the
 * action of the Rule may be exercised"): place codes as strings (NUTS `DE300`, LAU, ISO 3166
 * `DE`), compared upper-cased, as places: every operator treats a place within a listed one as
 * that place (`eq DE` and `isPartOf [DE]` cover `DE300`; `neq DE` and `isNoneOf [DE]` exclude
 * it). NUTS codes are hierarchical by prefix (`DE3` ⊃ `DE30` ⊃ `DE300`), so a NUTS code lies
 * within every NUTS code that is a prefix of it. Other codes (LAU) lie only within themselves. Code:
 * `spatial_not_permitted`.
 */
import { invalid } from '../errors.js';
import { evaluateSet, SET_OPERATORS, type SetFamily } from './operand.js';

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
    const value = request.spatial === undefined ? undefined : normalise(request.spatial);
    // A place "is" a listed place when it lies within it: `eq DE` covers `DE300`, and
    // `isNoneOf [DE]` excludes it. Literal comparison would let a finer code slip past a
    // prohibition or an exclusion that names the region containing it.
    return evaluateSet(constraint, value, placeWithin, placeWithin);
  },
};
