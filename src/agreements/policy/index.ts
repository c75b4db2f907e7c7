/**
 * The ODRL 2.2 policy profile of data-sharing agreements: parsing connectors' ODRL JSON-LD into
 * a normalised, typed model (refusing every term outside the profile), its canonical form for
 * hashing, the evaluator a connector check runs, and the narrowing test an agreement passes
 * against its offer. Pure code: no database, no clock, no network.
 * See docs/agreements-policy.md.
 */
export { canonicalPolicy, policyHash, policyToJsonLd } from './canonical.js';
export { invalid, PolicyError, type PolicyErrorCode, unsupported } from './errors.js';
export { evaluate } from './evaluate.js';
export { narrows } from './narrow.js';
export { parseInstant } from './operands/date-time.js';
export { compactPurpose } from './operands/purpose.js';
export { placeCode } from './operands/spatial.js';
export { POLICY_LIMITS, parsePolicy } from './parse.js';
export { policyProfileFromRulebook } from './profile.js';
export { POLICY_SCHEMA_NAMES, type PolicySchemaName, policySchemas, type SchemaObject } from './schema.js';
export {
  type AtomicConstraint,
  type Constraint,
  type ConstraintReport,
  type ConstraintResult,
  type DecisionCode,
  DUTY_ACTIONS,
  type Duty,
  type DutyAction,
  type DutyOnlyAction,
  type EvaluationContext,
  type ExchangeRequest,
  LEFT_OPERANDS,
  type LeftOperand,
  LOGICAL_OPERATORS,
  type LogicalConstraint,
  type LogicalOperator,
  type NarrowingProblem,
  type NarrowingResult,
  type OdrlPolicy,
  OPERATORS,
  type Operator,
  type Permission,
  POLICY_TYPES,
  type PolicyDecision,
  type PolicyProfile,
  type PolicyType,
  type Prohibition,
  type RuleReport,
  USAGE_ACTIONS,
  type UsageAction,
} from './types.js';
