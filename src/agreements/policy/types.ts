/**
 * The service's ODRL 2.2 profile as types: the normalised policy model that `parsePolicy`
 * produces, the request and context `evaluate` reads, and the decision it answers. Every term
 * is given by its short ODRL name (`use`, `isAnyOf`); purposes are DPV compact IRIs
 * (`dpv:ServiceOptimisation`). See docs/agreements-policy.md for the profile in prose.
 */

/** ODRL 2.2 §2.1: the policy subclasses this profile accepts. */
export const POLICY_TYPES = ['Offer', 'Agreement', 'Set'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

/**
 * The actions a permission or prohibition may name, and a request may ask for (ODRL 2.2
 * Common Vocabulary). Every action but `use` and `transfer` is `includedIn` `use`; `transfer`
 * stands on its own, as in ODRL (a permission to `use` does not permit `transfer`).
 */
export const USAGE_ACTIONS = [
  'use',
  'transfer',
  'aggregate',
  'annotate',
  'anonymize',
  'archive',
  'derive',
  'display',
  'distribute',
  'execute',
  'extract',
  'index',
  'modify',
  'read',
  'reproduce',
  'transform',
] as const;
export type UsageAction = (typeof USAGE_ACTIONS)[number];

/** Actions only a duty (or a policy obligation) may name: what a party must do, never what it may. */
export const DUTY_ACTIONS = ['attribute', 'compensate', 'delete', 'inform', 'obtainConsent'] as const;
export type DutyOnlyAction = (typeof DUTY_ACTIONS)[number];

/** A duty may name a duty action or a usage action (e.g. `anonymize`). */
export type DutyAction = UsageAction | DutyOnlyAction;

/** ODRL 2.2 §2.5.1 left operands this profile supports. */
export const LEFT_OPERANDS = ['purpose', 'dateTime', 'spatial', 'count', 'recipient', 'elapsedTime'] as const;
export type LeftOperand = (typeof LEFT_OPERANDS)[number];

/** ODRL 2.2 §2.5.1 operators this profile supports. */
export const OPERATORS = [
  'eq',
  'neq',
  'lt',
  'lteq',
  'gt',
  'gteq',
  'isAnyOf',
  'isNoneOf',
  'isPartOf',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** ODRL 2.2 §2.5.2 logical operators this profile supports (`andSequence` is refused). */
export const LOGICAL_OPERATORS = ['and', 'or', 'xone'] as const;
export type LogicalOperator = (typeof LOGICAL_OPERATORS)[number];

/**
 * An atomic constraint (ODRL 2.2 §2.5.1), normalised:
 *
 * | leftOperand | rightOperand | operators |
 * |---|---|---|
 * | `purpose` | DPV compact IRI(s) of the rulebook | eq, neq, isAnyOf, isNoneOf, isPartOf |
 * | `spatial` | place code(s) (NUTS, LAU, ISO 3166) | eq, neq, isAnyOf, isNoneOf, isPartOf |
 * | `recipient` | member DID(s) or rulebook role id(s) | eq, neq, isAnyOf, isNoneOf, isPartOf |
 * | `dateTime` | instant, `toISOString()` form (UTC) | lt, lteq, gt, gteq |
 * | `count` | integer ≥ 0 | eq, neq, lt, lteq, gt, gteq |
 * | `elapsedTime` | xsd:duration, as given (e.g. `P30D`) | lt, lteq, gt, gteq |
 *
 * The set operators (`isAnyOf`, `isNoneOf`, `isPartOf`) carry a sorted, de-duplicated list;
 * the others a single value.
 */
export interface AtomicConstraint {
  readonly kind: 'atomic';
  readonly leftOperand: LeftOperand;
  readonly operator: Operator;
  readonly rightOperand: string | number | readonly string[];
}

/** A logical constraint (ODRL 2.2 §2.5.2) over two or more constraints, possibly nested. */
export interface LogicalConstraint {
  readonly kind: 'logical';
  readonly operator: LogicalOperator;
  readonly constraints: readonly Constraint[];
}

export type Constraint = AtomicConstraint | LogicalConstraint;

/**
 * A duty (ODRL 2.2 §2.6.4): of a permission (a pre-condition the assignee performs) or of the
 * policy (`obligation`). The service enforces none: duties are returned for the connector.
 */
export interface Duty {
  readonly action: DutyAction;
  /** Conditions on the duty (e.g. `elapsedTime lteq P30D` after use), returned as given. */
  readonly constraints: readonly Constraint[];
  readonly target?: string;
  readonly assigner?: string;
  readonly assignee?: string;
}

/** A permission (ODRL 2.2 §2.6.2): policy-level target, assigner and assignee already propagated. */
export interface Permission {
  readonly action: UsageAction;
  readonly target: string;
  readonly assigner?: string;
  readonly assignee?: string;
  /** All must be satisfied (an implicit `and`). */
  readonly constraints: readonly Constraint[];
  readonly duties: readonly Duty[];
}

/** A prohibition (ODRL 2.2 §2.6.3). */
export interface Prohibition {
  readonly action: UsageAction;
  readonly target: string;
  readonly assigner?: string;
  readonly assignee?: string;
  readonly constraints: readonly Constraint[];
}

/**
 * A policy of this profile, normalised (ODRL 2.2 §2.1). Deeply frozen. Serialise with
 * `canonicalPolicy` (RFC 8785 canonical JSON) or `policyToJsonLd` (compact ODRL JSON-LD).
 */
export interface OdrlPolicy {
  readonly type: PolicyType;
  readonly uid: string;
  /**
   * When an Agreement was concluded (the Dataspace Protocol's `timestamp`, which it requires of
   * an Agreement), normalised to UTC (`toISOString()` form). Only an Agreement has one.
   */
  readonly timestamp?: string;
  readonly permissions: readonly Permission[];
  readonly prohibitions: readonly Prohibition[];
  readonly obligations: readonly Duty[];
}

/**
 * What the rulebook lets a policy name: the DPV purposes (compact IRIs, e.g.
 * `dpv:ServiceOptimisation`) and the role ids (`data-consumer`). Build it with
 * `policyProfileFromRulebook`.
 */
export interface PolicyProfile {
  readonly purposes: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
}

/** The exchange a connector asks about. */
export interface ExchangeRequest {
  /** An action of USAGE_ACTIONS, short (`read`), prefixed (`odrl:read`) or as full IRI. */
  readonly action: string;
  /** The asset IRI. */
  readonly target: string;
  /** The DID of the party that would exercise the action. */
  readonly assignee: string;
  /** A DPV purpose, compact (`dpv:X`) or full IRI. */
  readonly purpose?: string;
  /** A place code (NUTS, LAU, ISO 3166) where the action takes place. */
  readonly spatial?: string;
  /** The DID of the member the data goes to. */
  readonly recipient?: string;
}

/** What the evaluator needs besides the request; a plain value, so it needs no database. */
export interface EvaluationContext {
  readonly now: Date;
  /** When the agreement became active: the origin of `elapsedTime`. */
  readonly activatedAt?: Date;
  /** How many uses were permitted before this one (this one would be number usesSoFar + 1). */
  readonly usesSoFar: number;
  /**
   * The rulebook roles of an active member; undefined for any other DID (a suspended, revoked or
   * withdrawn member, a non-member, another spelling of a member's DID): a `recipient`
   * constraint about it is `unknown`, which satisfies no permission (not even an exclusion) and
   * lets a prohibition apply.
   */
  readonly roleOf: (did: string) => readonly string[] | undefined;
}

/** Why a request is refused, or a constraint not satisfied. Stable: documented in docs/agreements-policy.md. */
export type DecisionCode =
  | 'action_not_permitted'
  | 'target_mismatch'
  | 'assignee_mismatch'
  | 'purpose_not_permitted'
  | 'outside_period'
  | 'spatial_not_permitted'
  | 'count_exceeded'
  | 'recipient_not_permitted'
  | 'elapsed_time_exceeded'
  | 'constraint_not_satisfied'
  | 'prohibited';

/**
 * A constraint's outcome. `unknown`: the request does not give the left operand (e.g. no
 * `purpose`); it counts as not satisfied in a permission and as satisfied in a prohibition, so
 * that a missing value never permits more (fail closed).
 */
export type ConstraintResult = 'satisfied' | 'not_satisfied' | 'unknown';

export interface ConstraintReport {
  /** Absent for a logical constraint. */
  readonly leftOperand?: LeftOperand;
  readonly operator: Operator | LogicalOperator;
  readonly result: ConstraintResult;
  /** Set when the result is not `satisfied`. */
  readonly code?: DecisionCode;
  /** The operands of a logical constraint. */
  readonly constraints?: readonly ConstraintReport[];
}

export interface RuleReport {
  readonly rule: 'permission' | 'prohibition';
  /** Position in the policy's `permissions` or `prohibitions`. */
  readonly index: number;
  /** Whether the rule applies to this request (action, target, assignee and every constraint). */
  readonly result: 'applies' | 'does_not_apply';
  /** Why it does not apply. */
  readonly code?: DecisionCode;
  /** Empty when the rule was ruled out by action, target or assignee before its constraints. */
  readonly constraints: readonly ConstraintReport[];
}

/** The evaluator's answer. Never thrown: a refusal is a value that says why. */
export interface PolicyDecision {
  readonly permitted: boolean;
  /** Set when not permitted. */
  readonly code?: DecisionCode;
  readonly rules: readonly RuleReport[];
  /** When permitted: the duties of every applicable permission, then the policy's obligations. */
  readonly duties: readonly Duty[];
}

/** One reason a proposed policy is not within the offer. */
export interface NarrowingProblem {
  /** JSON Pointer into the normalised policy, e.g. `/permissions/0` (proposed) or `/prohibitions/1` (offer). */
  readonly rule: string;
  /** The term that could not be shown to be within the offer (an action, a left operand, `target`, ...). */
  readonly term: string;
  readonly reason: string;
}

/** The answer of `narrows`: within the offer, or `not_within_offer` with every problem found. */
export type NarrowingResult =
  | { readonly within: true; readonly problems: readonly [] }
  | {
      readonly within: false;
      readonly code: 'not_within_offer';
      readonly problems: readonly NarrowingProblem[];
    };
