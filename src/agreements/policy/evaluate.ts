/**
 * The evaluator (ODRL 2.2 §2.6 Permission, Prohibition and Duty; §2.5 Constraints; §2.8
 * policy conflict; the ODRL Formal Semantics draft's reading of "a rule is active when all its
 * constraints are satisfied"):
 *
 * 1. A permission applies when its action includes the requested one (`use` includes every
 *    action but `transfer`), its target is the request's target, its assignee (when it names
 *    one) is the request's assignee, and every constraint is satisfied. A constraint whose left
 *    operand the request does not give is `unknown`, which does not satisfy a permission.
 * 2. A prohibition applies when its action overlaps the requested one (either includes the
 *    other), target and assignee match as above, and no constraint is `not_satisfied`: an
 *    `unknown` constraint lets the prohibition apply (fail closed both ways).
 * 3. A prohibition that applies wins over any permission (conflict strategy `prohibit`):
 *    `prohibited`. Otherwise the request is permitted when a permission applies, and refused
 *    with the code of the permission that came closest otherwise.
 * 4. Duties are not performed or checked here: when permitted, the duties of every permission
 *    that applies, then the policy's obligations, are returned for the connector to perform.
 *
 * Every constraint of every rule is evaluated and reported; nothing short-circuits the report.
 */
import { OPERAND_FAMILIES } from './operands/index.js';
import { ODRL_NS } from './terms.js';
import {
  type Constraint,
  type ConstraintReport,
  type ConstraintResult,
  type DecisionCode,
  type Duty,
  type EvaluationContext,
  type ExchangeRequest,
  type OdrlPolicy,
  type PolicyDecision,
  type Prohibition,
  type RuleReport,
  USAGE_ACTIONS,
  type UsageAction,
} from './types.js';

/** ODRL `includedIn`: every usage action of the profile but `transfer` is included in `use`. */
export function includes(granted: UsageAction, requested: UsageAction): boolean {
  return granted === requested || (granted === 'use' && requested !== 'transfer');
}

/** The requested action by its short name, or undefined when it is not one of the profile. */
export function requestedAction(action: string): UsageAction | undefined {
  const name = action.startsWith(ODRL_NS)
    ? action.slice(ODRL_NS.length)
    : action.startsWith('odrl:')
      ? action.slice(5)
      : action;
  return (USAGE_ACTIONS as readonly string[]).includes(name) ? (name as UsageAction) : undefined;
}

/** Whether `policy` permits `request` at `context`. Never throws for a refusal: the decision says why. */
export function evaluate(
  policy: OdrlPolicy,
  request: ExchangeRequest,
  context: EvaluationContext,
): PolicyDecision {
  const action = requestedAction(String(request.action));
  const prohibitions = policy.prohibitions.map((rule, index) =>
    prohibition(rule, index, action, request, context),
  );
  const permissions = policy.permissions.map((rule, index) => {
    const stage = scope(rule, action, request, includes);
    if (stage !== undefined) return report('permission', index, stage, []);
    const constraints = rule.constraints.map((c) => constraintReport(c, request, context));
    const failed = constraints.find((c) => c.result !== 'satisfied');
    return report(
      'permission',
      index,
      failed ? (failed.code ?? 'constraint_not_satisfied') : undefined,
      constraints,
    );
  });
  const rules = Object.freeze([...permissions, ...prohibitions]);

  if (prohibitions.some((rule) => rule.result === 'applies')) return refuse('prohibited', rules);
  const applicable = permissions.filter((rule) => rule.result === 'applies');
  if (applicable.length === 0) return refuse(closest(permissions), rules);
  const duties: Duty[] = [];
  for (const rule of applicable) duties.push(...(policy.permissions[rule.index]?.duties ?? []));
  duties.push(...policy.obligations);
  return Object.freeze({ permitted: true, rules, duties: Object.freeze(duties) });
}

function prohibition(
  rule: Prohibition,
  index: number,
  action: UsageAction | undefined,
  request: ExchangeRequest,
  context: EvaluationContext,
): RuleReport {
  const overlaps = (a: UsageAction, b: UsageAction) => includes(a, b) || includes(b, a);
  // A prohibition that does not apply carries no code: nothing is refused because of it.
  const constraints =
    scope(rule, action, request, overlaps) === undefined
      ? rule.constraints.map((c) => constraintReport(c, request, context))
      : undefined;
  if (constraints === undefined || constraints.some((c) => c.result === 'not_satisfied'))
    return Object.freeze({
      rule: 'prohibition',
      index,
      result: 'does_not_apply',
      constraints: Object.freeze(constraints ?? []),
    });
  return report('prohibition', index, undefined, constraints);
}

/** Why a rule is out of scope of the request before its constraints (action, target, assignee), or undefined. */
function scope(
  rule: { readonly action: UsageAction; readonly target: string; readonly assignee?: string },
  action: UsageAction | undefined,
  request: ExchangeRequest,
  matches: (ruleAction: UsageAction, requested: UsageAction) => boolean,
): DecisionCode | undefined {
  if (action === undefined || !matches(rule.action, action)) return 'action_not_permitted';
  if (rule.target !== request.target) return 'target_mismatch';
  if (rule.assignee !== undefined && rule.assignee !== request.assignee) return 'assignee_mismatch';
  return undefined;
}

function report(
  rule: 'permission' | 'prohibition',
  index: number,
  code: DecisionCode | undefined,
  constraints: readonly ConstraintReport[],
): RuleReport {
  const result = code === undefined ? 'applies' : 'does_not_apply';
  return Object.freeze({
    rule,
    index,
    result,
    ...(code ? { code } : {}),
    constraints: Object.freeze(constraints),
  });
}

function refuse(code: DecisionCode, rules: readonly RuleReport[]): PolicyDecision {
  return Object.freeze({ permitted: false, code, rules, duties: Object.freeze([]) });
}

/** The code of the permission that came closest: past the scope checks, then target, then action. */
const SCOPE_ORDER: readonly DecisionCode[] = ['action_not_permitted', 'target_mismatch', 'assignee_mismatch'];

function closest(permissions: readonly RuleReport[]): DecisionCode {
  let best: DecisionCode = 'action_not_permitted';
  let bestRank = -1;
  for (const rule of permissions) {
    const code = rule.code ?? 'constraint_not_satisfied';
    const scopeRank = SCOPE_ORDER.indexOf(code);
    const rank = scopeRank === -1 ? SCOPE_ORDER.length : scopeRank;
    if (rank > bestRank) {
      best = code;
      bestRank = rank;
    }
  }
  return best;
}

/** A constraint's outcome with the ODRL logical operators read in three-valued (Kleene) logic. */
export function constraintReport(
  constraint: Constraint,
  request: ExchangeRequest,
  context: EvaluationContext,
): ConstraintReport {
  if (constraint.kind === 'atomic') {
    const family = OPERAND_FAMILIES[constraint.leftOperand];
    const result = family.evaluate(constraint, request, context);
    return Object.freeze({
      leftOperand: constraint.leftOperand,
      operator: constraint.operator,
      result,
      ...(result === 'satisfied' ? {} : { code: family.code }),
    });
  }
  const operands = constraint.constraints.map((c) => constraintReport(c, request, context));
  const results = operands.map((c) => c.result);
  const result = combine(constraint.operator, results);
  const codes = new Set(operands.filter((c) => c.result !== 'satisfied').map((c) => c.code));
  const code: DecisionCode =
    codes.size === 1 ? ([...codes][0] ?? 'constraint_not_satisfied') : 'constraint_not_satisfied';
  return Object.freeze({
    operator: constraint.operator,
    result,
    ...(result === 'satisfied' ? {} : { code }),
    constraints: Object.freeze(operands),
  });
}

function combine(operator: 'and' | 'or' | 'xone', results: readonly ConstraintResult[]): ConstraintResult {
  const satisfied = results.filter((r) => r === 'satisfied').length;
  const unknown = results.some((r) => r === 'unknown');
  switch (operator) {
    case 'and':
      if (results.includes('not_satisfied')) return 'not_satisfied';
      return unknown ? 'unknown' : 'satisfied';
    case 'or':
      if (satisfied > 0) return 'satisfied';
      return unknown ? 'unknown' : 'not_satisfied';
    case 'xone':
      // ODRL 2.2 §2.5.2: exactly one operand satisfied.
      if (satisfied > 1) return 'not_satisfied';
      if (unknown) return 'unknown';
      return satisfied === 1 ? 'satisfied' : 'not_satisfied';
  }
}
