/**
 * What every left operand of the profile defines (one file per operand family beside this
 * one): which operators and datatypes it takes, how a right-operand value is read and
 * normalised, how a request is compared with it, and the code of a constraint it fails.
 * Set-valued operands (`purpose`, `spatial`, `recipient`) and ordered ones (`dateTime`,
 * `count`, `elapsedTime`) share the operator semantics below (ODRL 2.2 §2.5.1, Vocabulary
 * §4.19 "Constraint Operators").
 */
import type {
  AtomicConstraint,
  ConstraintResult,
  DecisionCode,
  EvaluationContext,
  ExchangeRequest,
  LeftOperand,
  Operator,
  PolicyProfile,
} from '../types.js';

interface FamilyBase {
  readonly leftOperand: LeftOperand;
  readonly operators: readonly Operator[];
  /** XSD datatypes (short names) a `dataType` or `@type` of the right operand may declare. */
  readonly dataTypes: readonly string[];
  /** The code of a constraint on this operand that is not satisfied. */
  readonly code: DecisionCode;
  /** One right-operand value, normalised; throws PolicyError (`path` is where it stands). */
  value(raw: unknown, path: string, profile: PolicyProfile): string | number;
  evaluate(
    constraint: AtomicConstraint,
    request: ExchangeRequest,
    context: EvaluationContext,
  ): ConstraintResult;
}

/** An operand whose values are terms compared for identity (and containment, for `isPartOf`). */
export interface SetFamily extends FamilyBase {
  readonly kind: 'set';
  /**
   * Whether every request value that `isPartOf` would accept for `part` is also accepted for
   * `whole` (static containment, no request needed). Used to prove narrowing.
   */
  within(part: string, whole: string): boolean;
}

/** An operand whose values are ordered: each value maps to an interval of numbers. */
export interface OrderedFamily extends FamilyBase {
  readonly kind: 'ordered';
  /** Only whole numbers occur (so `lt n` is `lteq n-1`). */
  readonly integer: boolean;
  /**
   * The number a value stands for, as the smallest and largest it may be (they differ for
   * `elapsedTime` durations with months or years, whose length depends on the start).
   */
  bounds(value: string | number): readonly [number, number];
  /** The smallest value a request can have, when there is one (`count`: the first use is 1). */
  readonly least?: number;
}

export type OperandFamily = SetFamily | OrderedFamily;

export const SET_OPERATORS: readonly Operator[] = ['eq', 'neq', 'isAnyOf', 'isNoneOf', 'isPartOf'];
export const ORDER_OPERATORS: readonly Operator[] = ['lt', 'lteq', 'gt', 'gteq'];

/** Whether `operator` takes a list (`isAnyOf`, `isNoneOf`, `isPartOf`). */
export function takesList(operator: Operator): boolean {
  return operator === 'isAnyOf' || operator === 'isNoneOf' || operator === 'isPartOf';
}

/** `left operator right` for ordered values. */
export function compare(operator: Operator, left: number, right: number): boolean {
  switch (operator) {
    case 'eq':
      return left === right;
    case 'neq':
      return left !== right;
    case 'lt':
      return left < right;
    case 'lteq':
      return left <= right;
    case 'gt':
      return left > right;
    case 'gteq':
      return left >= right;
    default:
      return false;
  }
}

/**
 * A set-valued constraint against one request value: `eq`/`neq` compare with the one value,
 * `isAnyOf`/`isNoneOf` with each listed value, `isPartOf` asks whether the request value lies
 * within any listed value. `matches` is identity (or, for recipients, identity or role);
 * `within` is the family's containment.
 */
export function evaluateSet(
  constraint: AtomicConstraint,
  value: string | undefined,
  matches: (value: string, term: string) => boolean,
  within: (value: string, term: string) => boolean,
): ConstraintResult {
  if (value === undefined) return 'unknown';
  const right = constraint.rightOperand;
  const list = Array.isArray(right) ? (right as readonly string[]) : [String(right)];
  let result: boolean;
  switch (constraint.operator) {
    case 'eq':
    case 'isAnyOf':
      result = list.some((term) => matches(value, term));
      break;
    case 'neq':
    case 'isNoneOf':
      result = !list.some((term) => matches(value, term));
      break;
    case 'isPartOf':
      result = list.some((term) => within(value, term));
      break;
    default:
      result = false;
  }
  return result ? 'satisfied' : 'not_satisfied';
}
