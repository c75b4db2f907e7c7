/**
 * Reading a policy: ODRL 2.2 JSON-LD in compact form, as connectors send it (ODRL 2.2
 * Information Model §2.1 Policy, §2.6 Rules, §2.5 Constraints; §2.7.1 compact policies: a
 * policy-level `target`, `assigner`, `assignee` applies to every rule that does not name its
 * own). Every member and term is checked against the profile; anything outside it is refused
 * with `unsupported_policy_term` naming it, anything malformed with `invalid_policy` and the
 * JSON Pointer of where it stands. Nothing is ignored. The result is deeply frozen.
 */
import { isDid } from '../../trust/index.js';
import { invalid, unsupported } from './errors.js';
import { parseInstant } from './operands/date-time.js';
import { OPERAND_FAMILIES, takesList } from './operands/index.js';
import { contradiction } from './satisfiable.js';
import {
  at,
  checkContext,
  isObject,
  type JsonObject,
  many,
  members,
  oneOf,
  onlyMembers,
  termName,
  xsdName,
} from './terms.js';
import {
  type AtomicConstraint,
  type Constraint,
  DUTY_ACTIONS,
  type Duty,
  type DutyAction,
  LEFT_OPERANDS,
  LOGICAL_OPERATORS,
  type LogicalOperator,
  type OdrlPolicy,
  OPERATORS,
  type Permission,
  POLICY_TYPES,
  type PolicyProfile,
  type Prohibition,
  USAGE_ACTIONS,
  type UsageAction,
} from './types.js';

/** Size limits: a policy past any of them is refused with `invalid_policy`. */
export const POLICY_LIMITS = Object.freeze({
  /** Rules (permissions + prohibitions + obligations, duties included). */
  rules: 64,
  /** Constraints in one rule, counting those inside logical constraints. */
  constraintsPerRule: 32,
  /** Nesting of logical constraints. */
  logicalDepth: 4,
  /** Values of one set operand (`isAnyOf`, ...). */
  setSize: 256,
  /** Characters of one string (uid, IRI, DID, place code). */
  stringLength: 2048,
});

const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/;
const POLICY_MEMBERS = [
  '@context',
  '@type',
  'uid',
  'timestamp',
  'permission',
  'prohibition',
  'obligation',
  'target',
  'assigner',
  'assignee',
];
const PARTY_MEMBERS = ['target', 'assigner', 'assignee'] as const;

interface Inherited {
  readonly target?: string;
  readonly assigner?: string;
  readonly assignee?: string;
}

/** Per-rule bookkeeping of the limits. */
interface Budget {
  constraints: number;
}

/**
 * Parses ODRL 2.2 JSON-LD of this profile into the normalised model. Throws PolicyError
 * (`invalid_policy` with the JSON Pointer, `unsupported_policy_term` with the term).
 */
export function parsePolicy(input: unknown, profile: PolicyProfile): OdrlPolicy {
  if (!isObject(input)) throw invalid('', 'a policy is a JSON object');
  const found = members(input, '');
  onlyMembers(found, POLICY_MEMBERS, '');
  if (found.has('@context')) checkContext(found.get('@context'), '/@context');
  if (!found.has('@type')) throw invalid('/@type', '@type is required (Offer, Agreement or Set)');
  const type = oneOf(found.get('@type'), POLICY_TYPES, '/@type', 'policy type');
  const uid = iri(found.get('uid'), '/uid', 'uid');
  const timestamp = found.has('timestamp') ? concluded(found.get('timestamp'), type) : undefined;

  const inherited: Inherited = {
    target: found.has('target') ? asset(found.get('target'), '/target') : undefined,
    assigner: found.has('assigner') ? party(found.get('assigner'), '/assigner') : undefined,
    assignee: found.has('assignee') ? party(found.get('assignee'), '/assignee') : undefined,
  };
  const counter = { rules: 0 };
  const count = (path: string) => {
    counter.rules += 1;
    if (counter.rules > POLICY_LIMITS.rules) throw invalid(path, `more than ${POLICY_LIMITS.rules} rules`);
  };

  const permissions = list(found.get('permission'), '/permission').map((rule, index) => {
    const path = at('/permission', index);
    count(path);
    return permission(rule, path, inherited, profile, count);
  });
  const prohibitions = list(found.get('prohibition'), '/prohibition').map((rule, index) => {
    const path = at('/prohibition', index);
    count(path);
    return prohibition(rule, path, inherited, profile);
  });
  const obligations = list(found.get('obligation'), '/obligation').map((rule, index) => {
    const path = at('/obligation', index);
    count(path);
    return duty(rule, path, inherited, profile, 'obligation');
  });
  if (permissions.length + prohibitions.length + obligations.length === 0)
    throw invalid('', 'a policy has at least one permission, prohibition or obligation');

  for (const [index, rule] of permissions.entries()) requireParties(type, rule, at('/permission', index));
  for (const [index, rule] of prohibitions.entries()) requireParties(type, rule, at('/prohibition', index));
  for (const [index, rule] of obligations.entries()) requireParties(type, rule, at('/obligation', index));

  return deepFreeze({
    type,
    uid,
    ...(timestamp ? { timestamp } : {}),
    permissions,
    prohibitions,
    obligations,
  });
}

/** The Dataspace Protocol's `timestamp` of an Agreement: an xsd:dateTime with offset, kept in UTC. */
function concluded(value: unknown, type: OdrlPolicy['type']): string {
  if (type !== 'Agreement') throw unsupported('/timestamp', 'timestamp', 'only an Agreement has a timestamp');
  const raw = isObject(value) && Object.hasOwn(value, '@value') ? value['@value'] : value;
  const instant = typeof raw === 'string' ? parseInstant(raw) : undefined;
  if (instant === undefined)
    throw invalid('/timestamp', 'timestamp is an xsd:dateTime with a time-zone offset');
  return new Date(instant).toISOString();
}

/** ODRL 2.2 §2.1: an Offer names its assigner; an Agreement its assigner and assignee. */
function requireParties(type: OdrlPolicy['type'], rule: Inherited, path: string): void {
  if ((type === 'Offer' || type === 'Agreement') && rule.assigner === undefined)
    throw invalid(at(path, 'assigner'), `every rule of an ${type} names its assigner`);
  if (type === 'Agreement' && rule.assignee === undefined)
    throw invalid(at(path, 'assignee'), 'every rule of an Agreement names its assignee');
}

function list(value: unknown, path: string): readonly unknown[] {
  if (value === undefined) return [];
  return many(value, path);
}

function ruleMembers(
  value: unknown,
  path: string,
  allowed: readonly string[],
  type: string,
): Map<string, unknown> {
  if (!isObject(value)) throw invalid(path, `a ${type} is an object`);
  const found = members(value, path);
  onlyMembers(found, ['@type', ...allowed], path);
  if (found.has('@type')) oneOf(found.get('@type'), [type], at(path, '@type'), 'rule type');
  return found;
}

function parties(found: Map<string, unknown>, path: string, inherited: Inherited): Inherited {
  const result: { target?: string; assigner?: string; assignee?: string } = {};
  for (const name of PARTY_MEMBERS) {
    const value = found.has(name)
      ? name === 'target'
        ? asset(found.get(name), at(path, name))
        : party(found.get(name), at(path, name))
      : inherited[name];
    if (value !== undefined) result[name] = value;
  }
  return result;
}

function permission(
  value: unknown,
  path: string,
  inherited: Inherited,
  profile: PolicyProfile,
  count: (path: string) => void,
): Permission {
  const found = ruleMembers(
    value,
    path,
    ['action', 'target', 'assigner', 'assignee', 'constraint', 'duty'],
    'Permission',
  );
  const named = parties(found, path, inherited);
  if (named.target === undefined) throw invalid(at(path, 'target'), 'a permission has a target');
  const duties = list(found.get('duty'), at(path, 'duty')).map((item, index) => {
    count(at(at(path, 'duty'), index));
    return duty(item, at(at(path, 'duty'), index), {}, profile, 'Duty');
  });
  return {
    action: usageAction(found.get('action'), at(path, 'action')),
    ...named,
    target: named.target,
    constraints: constraints(found.get('constraint'), at(path, 'constraint'), profile),
    duties,
  };
}

function prohibition(
  value: unknown,
  path: string,
  inherited: Inherited,
  profile: PolicyProfile,
): Prohibition {
  const found = ruleMembers(
    value,
    path,
    ['action', 'target', 'assigner', 'assignee', 'constraint'],
    'Prohibition',
  );
  const named = parties(found, path, inherited);
  if (named.target === undefined) throw invalid(at(path, 'target'), 'a prohibition has a target');
  return {
    action: usageAction(found.get('action'), at(path, 'action')),
    ...named,
    target: named.target,
    constraints: constraints(found.get('constraint'), at(path, 'constraint'), profile),
  };
}

function duty(
  value: unknown,
  path: string,
  inherited: Inherited,
  profile: PolicyProfile,
  kind: 'Duty' | 'obligation',
): Duty {
  const found = ruleMembers(value, path, ['action', 'target', 'assigner', 'assignee', 'constraint'], 'Duty');
  if (kind === 'obligation' && !found.has('action'))
    throw invalid(at(path, 'action'), 'an obligation has an action');
  return {
    action: oneOf(
      action(found.get('action'), at(path, 'action')),
      [...USAGE_ACTIONS, ...DUTY_ACTIONS],
      at(path, 'action'),
      'action',
    ) as DutyAction,
    ...parties(found, path, inherited),
    constraints: constraints(found.get('constraint'), at(path, 'constraint'), profile),
  };
}

/** An action: a term, or `{"rdf:value": {"@id": term}}` without refinement (ODRL 2.2 §2.3.1). */
function action(value: unknown, path: string): string {
  if (value === undefined) throw invalid(path, 'a rule has an action');
  if (Array.isArray(value)) {
    if (value.length !== 1) throw invalid(path, 'a rule has exactly one action');
    return action(value[0], at(path, 0));
  }
  if (isObject(value) && !Object.hasOwn(value, '@id')) {
    const found = members(value, path);
    onlyMembers(found, ['rdf:value'], path);
    if (!found.has('rdf:value')) throw invalid(path, 'an action object has rdf:value');
    return termName(found.get('rdf:value'), at(path, 'rdf:value'));
  }
  return termName(value, path);
}

function usageAction(value: unknown, path: string): UsageAction {
  return oneOf(action(value, path), USAGE_ACTIONS, path, 'action');
}

function constraints(value: unknown, path: string, profile: PolicyProfile): readonly Constraint[] {
  const budget: Budget = { constraints: 0 };
  const parsed = list(value, path).map((item, index) =>
    constraint(item, at(path, index), profile, budget, 0),
  );
  const conflict = contradiction(parsed);
  if (conflict !== undefined)
    throw invalid(path, `the constraints contradict each other (${conflict}): no request could satisfy them`);
  return parsed;
}

function constraint(
  value: unknown,
  path: string,
  profile: PolicyProfile,
  budget: Budget,
  depth: number,
): Constraint {
  if (!isObject(value))
    throw invalid(path, 'a constraint is an object (constraints by reference are not supported)');
  budget.constraints += 1;
  if (budget.constraints > POLICY_LIMITS.constraintsPerRule)
    throw invalid(path, `more than ${POLICY_LIMITS.constraintsPerRule} constraints in one rule`);
  const found = members(value, path);
  if (found.has('andSequence'))
    throw unsupported(
      at(path, 'andSequence'),
      'andSequence',
      'andSequence is not supported: the service cannot observe the order in which constraints become satisfied',
    );
  const logical = LOGICAL_OPERATORS.filter((operator) => found.has(operator));
  if (logical.length > 0) return logicalConstraint(found, logical, path, profile, budget, depth);
  onlyMembers(found, ['@type', 'leftOperand', 'operator', 'rightOperand', 'dataType'], path);
  if (found.has('@type')) oneOf(found.get('@type'), ['Constraint'], at(path, '@type'), 'constraint type');
  return atomicConstraint(found, path, profile);
}

function logicalConstraint(
  found: Map<string, unknown>,
  logical: readonly LogicalOperator[],
  path: string,
  profile: PolicyProfile,
  budget: Budget,
  depth: number,
): Constraint {
  if (logical.length > 1) throw invalid(path, 'a logical constraint has exactly one operator');
  const operator = logical[0] as LogicalOperator;
  onlyMembers(found, ['@type', operator], path);
  if (found.has('@type'))
    oneOf(found.get('@type'), ['LogicalConstraint'], at(path, '@type'), 'constraint type');
  if (depth + 1 > POLICY_LIMITS.logicalDepth)
    throw invalid(path, `logical constraints nest at most ${POLICY_LIMITS.logicalDepth} deep`);
  const operandsPath = at(path, operator);
  const operands = many(found.get(operator), operandsPath);
  if (operands.length === 0) throw invalid(operandsPath, 'a logical constraint has at least one operand');
  return {
    kind: 'logical',
    operator,
    constraints: operands.map((item, index) =>
      constraint(item, at(operandsPath, index), profile, budget, depth + 1),
    ),
  };
}

function atomicConstraint(
  found: Map<string, unknown>,
  path: string,
  profile: PolicyProfile,
): AtomicConstraint {
  for (const name of ['leftOperand', 'operator', 'rightOperand'])
    if (!found.has(name)) throw invalid(at(path, name), `a constraint has a ${name}`);
  const leftOperand = oneOf(found.get('leftOperand'), LEFT_OPERANDS, at(path, 'leftOperand'), 'left operand');
  const operator = oneOf(found.get('operator'), OPERATORS, at(path, 'operator'), 'operator');
  const family = OPERAND_FAMILIES[leftOperand];
  if (!family.operators.includes(operator))
    throw unsupported(
      at(path, 'operator'),
      operator,
      `operator "${operator}" is not supported with ${leftOperand}`,
    );
  const declared = found.has('dataType') ? xsdName(found.get('dataType'), at(path, 'dataType')) : undefined;
  if (declared !== undefined && !family.dataTypes.includes(declared))
    throw unsupported(at(path, 'dataType'), declared, `dataType "${declared}" does not fit ${leftOperand}`);

  const rightPath = at(path, 'rightOperand');
  const values = many(found.get('rightOperand'), rightPath).map((item, index, all) => {
    const itemPath =
      all.length > 1 || Array.isArray(found.get('rightOperand')) ? at(rightPath, index) : rightPath;
    const raw = literal(item, itemPath, family.dataTypes, leftOperand);
    if (typeof raw === 'string' && raw.length > POLICY_LIMITS.stringLength)
      throw invalid(itemPath, 'the value is too long');
    return family.value(raw, itemPath, profile);
  });
  if (values.length === 0) throw invalid(rightPath, 'the right operand has at least one value');
  if (values.length > POLICY_LIMITS.setSize)
    throw invalid(rightPath, `more than ${POLICY_LIMITS.setSize} values`);
  if (takesList(operator)) {
    const sorted = [...new Set(values.map(String))].sort();
    return { kind: 'atomic', leftOperand, operator, rightOperand: sorted };
  }
  if (values.length !== 1) throw invalid(rightPath, `operator "${operator}" takes one value`);
  return { kind: 'atomic', leftOperand, operator, rightOperand: values[0] as string | number };
}

/** A right-operand value: a JSON string or number, `{"@value": v, "@type": dt}` or `{"@id": iri}`. */
function literal(value: unknown, path: string, dataTypes: readonly string[], leftOperand: string): unknown {
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (Object.hasOwn(value, '@id')) {
    if (keys.length !== 1) throw invalid(path, '{"@id": ...} has no other member');
    if (leftOperand !== 'purpose' && leftOperand !== 'recipient')
      throw invalid(path, `a ${leftOperand} value is a literal, not a node reference`);
    return value['@id'];
  }
  if (!Object.hasOwn(value, '@value')) throw invalid(path, 'a value object has @value');
  for (const key of keys) {
    if (key !== '@value' && key !== '@type') throw unsupported(at(path, key), key);
  }
  if (Object.hasOwn(value, '@type')) {
    const declared = xsdName(value['@type'], at(path, '@type'));
    if (!dataTypes.includes(declared))
      throw unsupported(at(path, '@type'), declared, `datatype "${declared}" does not fit ${leftOperand}`);
  }
  return value['@value'];
}

function iri(value: unknown, path: string, what: string): string {
  if (value === undefined) throw invalid(path, `${what} is required`);
  if (typeof value !== 'string' || value.length > POLICY_LIMITS.stringLength || !IRI.test(value))
    throw invalid(path, `${what} is an absolute IRI`);
  return value;
}

/** A target: an IRI, or `{"@id"|"uid": iri}` (an Asset; AssetCollection and refinements are not supported). */
function asset(value: unknown, path: string): string {
  return iri(node(value, path, 'Asset'), path, 'a target');
}

/** A party: a DID, or `{"@id"|"uid": did}` (a Party; PartyCollection is not supported). */
function party(value: unknown, path: string): string {
  const did = node(value, path, 'Party');
  if (typeof did !== 'string' || did.length > POLICY_LIMITS.stringLength || !isDid(did))
    throw invalid(path, 'a party is a DID');
  return did;
}

function node(value: unknown, path: string, type: string): unknown {
  if (!isObject(value)) {
    if (Array.isArray(value)) throw invalid(path, `exactly one ${type}`);
    return value;
  }
  const found = members(value as JsonObject, path);
  onlyMembers(found, ['uid', '@type'], path);
  if (found.has('@type')) oneOf(found.get('@type'), [type], at(path, '@type'), 'type');
  return found.get('uid');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}
