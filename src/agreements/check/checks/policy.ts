/**
 * `policy` → the evaluator's code (`action_not_permitted`, `prohibited`, `purpose_not_permitted`,
 * `outside_period`, `spatial_not_permitted`, `count_exceeded`, `recipient_not_permitted`,
 * `elapsed_time_exceeded`, `target_mismatch`, `assignee_mismatch`, ...). The agreement's ODRL
 * policy is evaluated (ODRL 2.2 §2.6–2.8, src/agreements/policy, docs/agreements-policy.md) for
 * the exchange asked about: the consumer exercises the action on the agreement's target; the
 * prohibition that applies wins; a constraint whose operand the question does not give is not
 * satisfied. `count` is evaluated against the uses recorded so far.
 */
import { evaluate } from '../../policy/index.js';
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
  return { ...failed('policy', decision.code ?? 'action_not_permitted'), rules: decision.rules };
}
