/**
 * `purpose` (ODRL 2.2 Vocabulary §4.18 "Left Operands": "A defined purpose for exercising the
 * action of the Rule"): the request's DPV purpose against DPV purposes of the rulebook's
 * consent vocabulary (`PolicyProfile.purposes`). Values are compact IRIs (`dpv:ResearchAndDevelopment`);
 * the full IRI (`https://w3id.org/dpv#...`) is read as the compact one. A purpose the rulebook
 * does not ship is refused by name (`unsupported_policy_term`). The rulebook carries no purpose
 * hierarchy, so `isPartOf` is membership, as `isAnyOf`. Code: `purpose_not_permitted`.
 */
import { invalid, unsupported } from '../errors.js';
import { DPV_NS } from '../terms.js';
import { evaluateSet, SET_OPERATORS, type SetFamily } from './operand.js';

/** A purpose as a compact DPV IRI, or undefined when it is not a DPV term. */
export function compactPurpose(value: string): string | undefined {
  if (value.startsWith(DPV_NS)) return `dpv:${value.slice(DPV_NS.length)}`;
  if (/^dpv:[A-Za-z][A-Za-z0-9]*$/.test(value)) return value;
  return undefined;
}

export const purpose: SetFamily = {
  kind: 'set',
  leftOperand: 'purpose',
  operators: SET_OPERATORS,
  dataTypes: ['string', 'anyURI'],
  code: 'purpose_not_permitted',
  value(raw, path, profile) {
    if (typeof raw !== 'string') throw invalid(path, 'a purpose is a DPV term (string)');
    const term = compactPurpose(raw);
    if (term === undefined || !profile.purposes.has(term))
      throw unsupported(path, raw, `purpose "${raw}" is not a purpose of the rulebook`);
    return term;
  },
  within: (part, whole) => part === whole,
  evaluate(constraint, request) {
    const value =
      request.purpose === undefined ? undefined : (compactPurpose(request.purpose) ?? request.purpose);
    return evaluateSet(
      constraint,
      value,
      (a, b) => a === b,
      (a, b) => a === b,
    );
  },
};
