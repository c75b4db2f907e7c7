/**
 * `policy` → `prohibited`, `action_not_permitted`, `constraint_failed:<leftOperand>`,
 * `count_exhausted` (the contract's reasons, ./reasons.ts; the first is the check's `code`, all
 * are in `reasons`, and the evaluator's own code, e.g. `purpose_not_permitted`, in `decision`).
 * The agreement's ODRL
 * policy is evaluated (ODRL 2.2 §2.6–2.8, src/agreements/policy, docs/agreements-policy.md) for
 * the exchange asked about: the consumer exercises the action on the agreement's target; the
 * prohibition that applies wins; a constraint whose operand the question does not give is not
 * satisfied. `count` is evaluated against the uses recorded so far.
 */
import { evaluate } from '../../policy/index.js';
import { policyReasons } from '../reasons.js';
import { type AgreementCheckResult, type CheckContext, type CheckedAgreement, failed } from '../types.js';

export function checkPolicy(agreement: CheckedAgreement, context: CheckContext): AgreementCheckResult {
  const { question } = context;
  const decision = evaluate(
    agreement.policy,
    {
      action: question.action,
      target: agreement.target,
      assignee: agreement.consumer,
      ...(question.purpose === undefined ? {} : { purpose: question.purpose }),
      ...(question.spatial === undefined ? {} : { spatial: question.spatial }),
      ...(question.recipient === undefined ? {} : { recipient: question.recipient }),
    },
    {
      now: context.now,
      ...(agreement.activatedAt ? { activatedAt: new Date(agreement.activatedAt) } : {}),
      usesSoFar: agreement.uses,
      roleOf: context.roleOf,
    },
  );
  if (decision.permitted) {
    return { check: 'policy', result: 'passed', rules: decision.rules, duties: decision.duties };
  }
  const reasons = policyReasons(decision);
  return {
    ...failed('policy', reasons[0] as string),
    reasons,
    decision: decision.code ?? 'action_not_permitted',
    rules: decision.rules,
  };
}
