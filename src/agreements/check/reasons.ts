/**
 * The check's reason codes (issue 13 item 4, docs/agreements.md "Reason codes"): the contract
 * connectors branch on. The checks before the policy keep their own codes (`no_agreement`,
 * `not_active`, `expired`, `party_not_active`); the policy's decision is told in the contract's
 * terms:
 *
 * - `prohibited`: a prohibition applies (it wins over any permission, ODRL 2.2 §2.8);
 * - `action_not_permitted`: no permission grants the action (also `target_mismatch`,
 *   `assignee_mismatch` as the evaluator names them: a rule over another target or assignee);
 * - `constraint_failed:<leftOperand>`: one per left operand whose constraint is not satisfied
 *   (or not answerable: the question did not give the operand) in the permission that came
 *   closest, e.g. `constraint_failed:purpose`, `constraint_failed:dateTime`;
 * - `count_exhausted`: a `count` constraint allows no further use.
 *
 * The evaluator's finer code (`purpose_not_permitted`, `outside_period`, …,
 * docs/agreements-policy.md) stays in the policy check's `rules`.
 */
import type { ConstraintReport, PolicyDecision, RuleReport } from '../policy/index.js';

export const COUNT_EXHAUSTED = 'count_exhausted';
export const CONSTRAINT_FAILED = 'constraint_failed';

const SCOPE_CODES: ReadonlySet<string> = new Set([
  'action_not_permitted',
  'target_mismatch',
  'assignee_mismatch',
]);

/** The left operands of the atomic constraints that are not satisfied below `report`. */
function failingOperands(report: ConstraintReport, into: string[]): void {
  if (report.result === 'satisfied') return;
  if (report.leftOperand !== undefined) {
    into.push(report.leftOperand);
    return;
  }
  const operands = report.constraints ?? [];
  const failing = operands.filter((operand) => operand.result !== 'satisfied');
  // An `xone` fails with every operand satisfied (more than one held): name them all.
  for (const operand of failing.length > 0 ? failing : operands) {
    if (operand.leftOperand !== undefined) into.push(operand.leftOperand);
    else failingOperands({ ...operand, result: 'not_satisfied' }, into);
  }
}

function reasonOf(leftOperand: string): string {
  return leftOperand === 'count' ? COUNT_EXHAUSTED : `${CONSTRAINT_FAILED}:${leftOperand}`;
}

/** The contract's reasons for a refused policy decision, most telling first; never empty. */
export function policyReasons(decision: Pick<PolicyDecision, 'code' | 'rules'>): string[] {
  const code = decision.code ?? 'action_not_permitted';
  if (code === 'prohibited' || SCOPE_CODES.has(code)) return [code];
  // The permission that came closest: the first that got past action, target and assignee.
  const closest = decision.rules.find(
    (rule: RuleReport) =>
      rule.rule === 'permission' && rule.result === 'does_not_apply' && !SCOPE_CODES.has(rule.code ?? ''),
  );
  const operands: string[] = [];
  for (const constraint of closest?.constraints ?? []) failingOperands(constraint, operands);
  const reasons = [...new Set(operands.map(reasonOf))];
  return reasons.length > 0 ? reasons : [`${CONSTRAINT_FAILED}:unknown`];
}
