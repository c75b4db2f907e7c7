/**
 * Reading constraints (ODRL 2.2 §2.5.1 Constraint, §2.5.2 Logical Constraint): each atomic
 * constraint checked against its left operand's family (operands/), logical ones nested at most
 * POLICY_LIMITS.logicalDepth deep, a rule's top-level constraints refused when they contradict
 * each other. Every term outside the profile is refused by name.
 */
import { invalid, unsupported } from './errors.js';
import { OPERAND_FAMILIES, takesList } from './operands/index.js';
import { contradiction } from './satisfiable.js';
import { at, isObject, many, members, oneOf, onlyMembers, xsdName } from './terms.js';
import {
  type AtomicConstraint,
  type Constraint,
  LEFT_OPERANDS,
  LOGICAL_OPERATORS,
  type LogicalOperator,
  OPERATORS,
  type PolicyProfile,
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

/** Per-rule bookkeeping of the limits. */
interface Budget {
  constraints: number;
}

/** The constraints of one rule (a constraint or a list); refuses contradictory top-level ones. */
export function constraints(value: unknown, path: string, profile: PolicyProfile): readonly Constraint[] {
  const budget: Budget = { constraints: 0 };
  const parsed = (value === undefined ? [] : many(value, path)).map((item, index) =>
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
