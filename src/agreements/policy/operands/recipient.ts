/**
 * `recipient` (ODRL 2.2 Vocabulary §4.18: "The party receiving the result/outcome of exercising
 * the action of the Rule"): the request's recipient DID against member DIDs or rulebook role
 * ids (`PolicyProfile.roles`). A DID matches itself; a role matches every member that holds it
 * when the request is evaluated (`EvaluationContext.roleOf`), so `isPartOf` ("is a member of")
 * and `isAnyOf` mean the same here. Whether a recipient that is not an active member is the
 * one a constraint names is `unknown`, whatever the operator: it passes no permission's
 * constraint and lifts no prohibition. A value that is neither a DID nor a
 * rulebook role is refused by name. Code: `recipient_not_permitted`.
 */
import { isDid } from '../../../trust/index.js';
import { invalid, unsupported } from '../errors.js';
import { evaluateSet, SET_OPERATORS, type SetFamily } from './operand.js';

export const recipient: SetFamily = {
  kind: 'set',
  leftOperand: 'recipient',
  operators: SET_OPERATORS,
  dataTypes: ['string', 'anyURI'],
  code: 'recipient_not_permitted',
  value(raw, path, profile) {
    if (typeof raw !== 'string') throw invalid(path, 'a recipient is a member DID or a rulebook role id');
    if (isDid(raw) || profile.roles.has(raw)) return raw;
    throw unsupported(path, raw, `recipient "${raw}" is neither a DID nor a role of the rulebook`);
  },
  // A DID lies only within itself; a role's members are not known statically.
  within: (part, whole) => part === whole,
  evaluate(constraint, request, context) {
    const did = request.recipient;
    if (did === undefined) return 'unknown';
    const roles = context.roleOf(did);
    // Fail closed: a recipient that is no active member is no party the policy can speak of, so
    // whether it is the one a constraint names is `unknown`: that satisfies no permission and
    // lets a prohibition apply. A suspended member, a stranger, or another spelling of a DID
    // (attack review: `%65` for `e`) neither passes an exclusion nor lifts a prohibition.
    if (roles === undefined) return 'unknown';
    const matches = (value: string, term: string) => value === term || roles.includes(term);
    return evaluateSet(constraint, did, matches, matches);
  },
};
