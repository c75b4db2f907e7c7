/**
 * What an atomic constraint admits, as a value we can reason about without a request: an
 * interval for ordered operands, a set of allowed or excluded terms for set-valued ones. Used
 * to refuse contradictory constraints (`satisfiable.ts`) and to prove that one constraint
 * implies another (`narrow.ts`). Every function here is conservative: when it cannot tell, it
 * answers the way that refuses (no implication, no contradiction).
 */
import { OPERAND_FAMILIES, type OrderedFamily, type SetFamily } from './operands/index.js';
import type { AtomicConstraint } from './types.js';

export interface Interval {
  readonly lo: number;
  readonly loIn: boolean;
  readonly hi: number;
  readonly hiIn: boolean;
}

const ALL: Interval = {
  lo: Number.NEGATIVE_INFINITY,
  loIn: false,
  hi: Number.POSITIVE_INFINITY,
  hiIn: false,
};

/**
 * The values `constraint` admits, as an interval (undefined for `neq`). `loose`: a superset of
 * what it admits (what a policy may permit at most); otherwise a subset (what it surely admits).
 * They differ only for values whose number is uncertain (durations with months or years).
 */
export function interval(
  family: OrderedFamily,
  constraint: AtomicConstraint,
  loose: boolean,
): Interval | undefined {
  const [min, max] = family.bounds(constraint.rightOperand as string | number);
  const upper = loose ? max : min;
  const lower = loose ? min : max;
  switch (constraint.operator) {
    case 'lt':
      return family.integer ? { ...ALL, hi: upper - 1, hiIn: true } : { ...ALL, hi: upper, hiIn: false };
    case 'lteq':
      return { ...ALL, hi: upper, hiIn: true };
    case 'gt':
      return family.integer ? { ...ALL, lo: lower + 1, loIn: true } : { ...ALL, lo: lower, loIn: false };
    case 'gteq':
      return { ...ALL, lo: lower, loIn: true };
    case 'eq':
      if (!loose && min !== max) return { lo: 0, loIn: false, hi: 0, hiIn: false };
      return { lo: min, loIn: true, hi: max, hiIn: true };
    default:
      return undefined;
  }
}

export function intersect(a: Interval, b: Interval): Interval {
  const lo = a.lo > b.lo ? a : a.lo < b.lo ? b : { lo: a.lo, loIn: a.loIn && b.loIn };
  const hi = a.hi < b.hi ? a : a.hi > b.hi ? b : { hi: a.hi, hiIn: a.hiIn && b.hiIn };
  return { lo: lo.lo, loIn: lo.loIn, hi: hi.hi, hiIn: hi.hiIn };
}

export function isEmpty(i: Interval): boolean {
  return i.lo > i.hi || (i.lo === i.hi && !(i.loIn && i.hiIn));
}

/** Whether every value of `inner` lies in `outer`. */
export function within(inner: Interval, outer: Interval): boolean {
  if (isEmpty(inner)) return true;
  const lowOk = inner.lo > outer.lo || (inner.lo === outer.lo && (outer.loIn || !inner.loIn));
  const highOk = inner.hi < outer.hi || (inner.hi === outer.hi && (outer.hiIn || !inner.hiIn));
  return lowOk && highOk;
}

/** Whether the number `value` lies in `i`. */
export function contains(i: Interval, value: number): boolean {
  return within({ lo: value, loIn: true, hi: value, hiIn: true }, i);
}

/**
 * A set-valued constraint as terms: `allow` (the request must match one: `eq`, `isAnyOf`, and
 * `isPartOf` where containment is identity), `regions` (`isPartOf` with real containment:
 * spatial), or `exclude` (`neq`, `isNoneOf`).
 */
export type TermSet =
  | { readonly mode: 'allow'; readonly terms: readonly string[] }
  | { readonly mode: 'regions'; readonly terms: readonly string[] }
  | { readonly mode: 'exclude'; readonly terms: readonly string[] };

export function termSet(constraint: AtomicConstraint): TermSet {
  const right = constraint.rightOperand;
  const terms = Array.isArray(right) ? (right as readonly string[]) : [String(right)];
  switch (constraint.operator) {
    case 'neq':
    case 'isNoneOf':
      return { mode: 'exclude', terms };
    case 'isPartOf':
      return constraint.leftOperand === 'spatial' ? { mode: 'regions', terms } : { mode: 'allow', terms };
    default:
      return { mode: 'allow', terms };
  }
}

/** Whether two terms can only be matched by different request values (roles may be held by any DID). */
function distinct(family: SetFamily, a: string, b: string): boolean {
  if (a === b) return false;
  if (family.leftOperand !== 'recipient') return true;
  return a.startsWith('did:') && b.startsWith('did:');
}

/** Whether every request value that `p` admits is admitted by `c` (same left operand). */
export function setImplies(family: SetFamily, p: TermSet, c: TermSet): boolean {
  if (p.mode === 'exclude') return c.mode === 'exclude' && c.terms.every((term) => p.terms.includes(term));
  if (c.mode === 'exclude') {
    if (p.mode === 'allow') return p.terms.every((a) => c.terms.every((e) => distinct(family, a, e)));
    // p: within one of its regions; c: not literally one of the excluded codes.
    return c.terms.every((e) => !p.terms.some((r) => family.within(e, r)));
  }
  if (c.mode === 'allow') return p.mode === 'allow' && p.terms.every((term) => c.terms.includes(term));
  // c: within one of its regions. A literal value or a region of p must lie within one of them.
  return p.terms.every((term) => c.terms.some((region) => family.within(term, region)));
}

/** Whether `p` (loose) admits only values that `c` surely admits (same ordered left operand). */
export function orderedImplies(family: OrderedFamily, p: AtomicConstraint, c: AtomicConstraint): boolean {
  const [cMin, cMax] = family.bounds(c.rightOperand as string | number);
  const [pMin, pMax] = family.bounds(p.rightOperand as string | number);
  if (p.operator === 'neq') return c.operator === 'neq' && pMin === pMax && cMin === cMax && pMin === cMin;
  const admitted = interval(family, p, true) as Interval;
  if (c.operator === 'neq')
    return isEmpty(intersect(admitted, { lo: cMin, loIn: true, hi: cMax, hiIn: true }));
  return within(admitted, interval(family, c, false) as Interval);
}

/** Whether atomic `p` implies atomic `c`. */
export function atomicImplies(p: AtomicConstraint, c: AtomicConstraint): boolean {
  if (p.leftOperand !== c.leftOperand) return false;
  const family = OPERAND_FAMILIES[p.leftOperand];
  if (family.kind === 'ordered') return orderedImplies(family, p, c);
  return setImplies(family, termSet(p), termSet(c));
}
