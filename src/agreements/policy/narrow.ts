/**
 * Narrowing (issue 13 §2; ODRL 2.2 §2.1: an Agreement grants what the assigner offered, to an
 * assignee): is a proposed policy (the consumer's Agreement) within an Offer? It is when
 *
 * - every proposed permission is covered by one offered permission: same target, an action the
 *   offered one includes, the same assigner, no other assignee than the offer names, every
 *   offered constraint implied by the proposed constraints (a subset of purposes, a shorter
 *   period, a lower count, extra constraints), and every offered duty present (as strict or
 *   stricter);
 * - every offered prohibition is present in the proposed policy, as wide or wider (an action
 *   that includes it, constraints that the offered ones imply);
 * - every offered obligation is present, as strict or stricter.
 *
 * Conservative: implication is proved with the rules of algebra.ts and logical constraints are
 * taken apart only where that is sound (an `and` premise as its operands, an `or`/`xone`
 * premise case by case, an `and` conclusion operand by operand, an `or` conclusion by one
 * operand, otherwise only an identical constraint). What cannot be proved is refused
 * (`not_within_offer`), naming the rule and the term.
 */

import { canonicalJson } from '../../json/canonical.js';
import { atomicImplies } from './algebra.js';
import { includes } from './evaluate.js';
import type {
  AtomicConstraint,
  Constraint,
  Duty,
  NarrowingProblem,
  NarrowingResult,
  OdrlPolicy,
  Permission,
  Prohibition,
} from './types.js';

/** Whether `proposed` permits nothing that `offer` does not, and keeps its prohibitions and duties. */
export function narrows(offer: OdrlPolicy, proposed: OdrlPolicy): NarrowingResult {
  const problems: NarrowingProblem[] = [];
  const budget: Budget = { steps: NARROWING_STEPS };
  proposed.permissions.forEach((permission, index) => {
    const attempts = offer.permissions.map((offered) => permissionProblem(offered, permission, budget));
    if (attempts.some((problem) => problem === undefined)) return;
    // Report the attempt that got furthest (the first matching target and action, else the first).
    const problem =
      attempts.find((p) => p !== undefined && p.term !== 'target' && p.reason !== ACTION) ?? attempts[0];
    problems.push({
      rule: `/permissions/${index}`,
      term: problem?.term ?? permission.action,
      reason: problem?.reason ?? 'the offer has no permission',
    });
  });
  offer.prohibitions.forEach((offered, index) => {
    if (!proposed.prohibitions.some((kept) => prohibitionKept(offered, kept, budget)))
      problems.push({
        rule: `/prohibitions/${index}`,
        term: offered.action,
        reason: "the offer's prohibition is not kept, as wide or wider",
      });
  });
  offer.obligations.forEach((offered, index) => {
    if (!proposed.obligations.some((kept) => dutyKept(offered, kept, budget)))
      problems.push({
        rule: `/obligations/${index}`,
        term: offered.action,
        reason: "the offer's obligation is not kept, as strict or stricter",
      });
  });
  if (problems.length === 0)
    return Object.freeze({ within: true, problems: Object.freeze([]) as readonly [] });
  return Object.freeze({ within: false, code: 'not_within_offer', problems: Object.freeze(problems) });
}

const ACTION = 'the offered action does not include it';

function permissionProblem(
  offered: Permission,
  proposed: Permission,
  budget: Budget,
): { term: string; reason: string } | undefined {
  if (offered.target !== proposed.target)
    return { term: 'target', reason: 'no offered permission has this target' };
  if (!includes(offered.action, proposed.action)) return { term: proposed.action, reason: ACTION };
  if (offered.assigner !== proposed.assigner)
    return { term: 'assigner', reason: 'the assigner differs from the offer' };
  if (offered.assignee !== undefined && offered.assignee !== proposed.assignee)
    return { term: 'assignee', reason: 'the offer is made to another assignee' };
  for (const constraint of offered.constraints) {
    if (!implied(proposed.constraints, constraint, budget))
      return {
        term: termOf(constraint),
        reason: 'the proposed constraints do not keep within the offered constraint',
      };
  }
  for (const duty of offered.duties) {
    if (!proposed.duties.some((kept) => dutyKept(duty, kept, budget)))
      return { term: duty.action, reason: "the offer's duty is not kept, as strict or stricter" };
  }
  return undefined;
}

/** `kept` prohibits at least whatever `offered` prohibits. */
function prohibitionKept(offered: Prohibition, kept: Prohibition, budget: Budget): boolean {
  if (offered.target !== kept.target || !includes(kept.action, offered.action)) return false;
  if (kept.assignee !== undefined && offered.assignee !== undefined && kept.assignee !== offered.assignee)
    return false;
  // `kept` must apply whenever `offered` does: its conditions follow from the offered ones.
  return kept.constraints.every((constraint) => implied(offered.constraints, constraint, budget));
}

/** `kept` asks the same action at least as strictly as `offered`. */
function dutyKept(offered: Duty, kept: Duty, budget: Budget): boolean {
  if (offered.action !== kept.action) return false;
  for (const name of ['target', 'assigner', 'assignee'] as const) {
    if (offered[name] !== undefined && offered[name] !== kept[name]) return false;
  }
  return offered.constraints.every((constraint) => implied(kept.constraints, constraint, budget));
}

function termOf(constraint: Constraint): string {
  return constraint.kind === 'atomic' ? constraint.leftOperand : constraint.operator;
}

const canonicalForms = new WeakMap<Constraint, string>();

function canonical(constraint: Constraint): string {
  let form = canonicalForms.get(constraint);
  if (form === undefined) {
    form = canonicalJson(constraint);
    canonicalForms.set(constraint, form);
  }
  return form;
}

function same(a: Constraint, b: Constraint): boolean {
  return a === b || canonical(a) === canonical(b);
}

interface Budget {
  steps: number;
}

/** Proof steps one `narrows` call may take in all; past them it refuses (case splits multiply). */
export const NARROWING_STEPS = 100_000;

/** Whether the conjunction of `premises` implies `conclusion` (sound, not complete, bounded). */
function implied(premises: readonly Constraint[], conclusion: Constraint, budget: Budget): boolean {
  budget.steps -= 1;
  if (budget.steps < 0) return false;
  if (premises.some((premise) => same(premise, conclusion))) return true;
  if (conclusion.kind === 'logical') {
    if (conclusion.operator === 'and')
      return conclusion.constraints.every((c) => implied(premises, c, budget));
    if (conclusion.operator === 'or' && conclusion.constraints.some((c) => implied(premises, c, budget)))
      return true;
  }
  if (
    conclusion.kind === 'atomic' &&
    premises.some((p) => p.kind === 'atomic' && atomicImplies(p, conclusion))
  )
    return true;
  // An `and` premise is its operands.
  const index = premises.findIndex((p) => p.kind === 'logical' && p.operator === 'and');
  if (index !== -1) {
    const premise = premises[index] as Exclude<Constraint, AtomicConstraint>;
    return implied(
      [...premises.slice(0, index), ...premise.constraints, ...premises.slice(index + 1)],
      conclusion,
      budget,
    );
  }
  // An `or` or `xone` premise: at least one operand holds; the conclusion must follow in each case.
  const split = premises.findIndex((p) => p.kind === 'logical');
  if (split === -1) return false;
  const premise = premises[split] as Exclude<Constraint, AtomicConstraint>;
  const others = premises.filter((_, i) => i !== split);
  return premise.constraints.every((operand) => implied([operand, ...others], conclusion, budget));
}
