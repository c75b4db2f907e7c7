/**
 * `count` (ODRL 2.2 Vocabulary §4.18: "Numeric count of executions of the action of the
 * Rule"): the ordinal of the use being asked for, `EvaluationContext.usesSoFar + 1`, against a
 * whole number ≥ 0 (a JSON number or a string of digits, as typed literals arrive). So
 * `count lteq 1000` permits uses 1 to 1000 and refuses the 1001st. Operators `eq`, `neq`, `lt`,
 * `lteq`, `gt`, `gteq`. The register keeps the counter exact; the evaluator only compares.
 * Code: `count_exceeded`.
 */
import { invalid } from '../errors.js';
import { compare, ORDER_OPERATORS, type OrderedFamily } from './operand.js';

export const count: OrderedFamily = {
  kind: 'ordered',
  leftOperand: 'count',
  operators: ['eq', 'neq', ...ORDER_OPERATORS],
  dataTypes: ['integer', 'nonNegativeInteger'],
  code: 'count_exceeded',
  integer: true,
  // The ordinal of a use: `count lt 1` or `count eq 0` admits no use at all (satisfiable.ts).
  least: 1,
  value(raw, path) {
    const value = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw invalid(path, 'a count is a whole number, 0 or more');
    return value;
  },
  bounds(value) {
    return [Number(value), Number(value)];
  },
  evaluate(constraint, _request, context) {
    if (!Number.isSafeInteger(context.usesSoFar) || context.usesSoFar < 0) return 'not_satisfied';
    const ordinal = context.usesSoFar + 1;
    return compare(constraint.operator, ordinal, Number(constraint.rightOperand))
      ? 'satisfied'
      : 'not_satisfied';
  },
};
