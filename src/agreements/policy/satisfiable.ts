/**
 * Contradictory constraints (issue 13, "Bad input"): a rule whose top-level constraints no
 * request could satisfy together (`dateTime gt 2027-01-01` with `dateTime lt 2026-01-01`;
 * `purpose eq A` with `purpose eq B`; `count eq 3` with `count neq 3`; `count lt 1` alone, as no
 * use is number 0) is refused by the parser
 * as `invalid_policy`, naming the left operand. Only what can be shown for certain is refused:
 * constraints inside logical ones, recipient roles (any member may hold them) and spatial
 * regions are left alone.
 */
import { type Interval, intersect, interval, isEmpty, termSet } from './algebra.js';
import { OPERAND_FAMILIES } from './operands/index.js';
import type { AtomicConstraint, Constraint, LeftOperand } from './types.js';

/** The left operand whose top-level constraints contradict each other, or undefined. */
export function contradiction(constraints: readonly Constraint[]): LeftOperand | undefined {
  const atomic = constraints.filter((c): c is AtomicConstraint => c.kind === 'atomic');
  const operands = new Set(atomic.map((c) => c.leftOperand));
  for (const operand of operands) {
    const family = OPERAND_FAMILIES[operand];
    const group = atomic.filter((c) => c.leftOperand === operand);
    if (family.kind === 'ordered') {
      let admitted: Interval | undefined =
        family.least === undefined
          ? undefined
          : { lo: family.least, loIn: true, hi: Number.POSITIVE_INFINITY, hiIn: false };
      for (const c of group) {
        const range = interval(family, c, true);
        if (range !== undefined) admitted = admitted === undefined ? range : intersect(admitted, range);
      }
      if (admitted !== undefined && isEmpty(admitted)) return operand;
      // eq v with neq v (exact values only)
      for (const c of group.filter((x) => x.operator === 'eq')) {
        if (group.some((x) => x.operator === 'neq' && x.rightOperand === c.rightOperand)) return operand;
      }
      continue;
    }
    const sets = group.map(termSet);
    if (operand === 'recipient' && sets.some((set) => set.terms.some((term) => !term.startsWith('did:'))))
      continue;
    let allowed: Set<string> | undefined;
    for (const set of sets.filter((s) => s.mode === 'allow')) {
      allowed =
        allowed === undefined ? new Set(set.terms) : new Set(set.terms.filter((t) => allowed?.has(t)));
    }
    if (allowed === undefined) continue;
    for (const set of sets.filter((s) => s.mode === 'exclude'))
      for (const term of set.terms) allowed.delete(term);
    if (allowed.size === 0) return operand;
  }
  return undefined;
}
