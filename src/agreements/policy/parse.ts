/**
 * Reading a policy: ODRL 2.2 JSON-LD in compact form, as connectors send it (ODRL 2.2
 * Information Model §2.1 Policy, §2.6 Rules, §2.5 Constraints; §2.7.1 compact policies: a
 * policy-level `target`, `assigner`, `assignee` applies to every rule that does not name its
 * own). Every member and term is checked against the profile; anything outside it is refused
 * with `unsupported_policy_term` naming it, anything malformed with `invalid_policy` and the
 * JSON Pointer of where it stands. Nothing is ignored. The result is deeply frozen.
 */

import { deepFreeze } from '../../json/freeze.js';
import { isDid } from '../../trust/index.js';
import { invalid, unsupported } from './errors.js';
import { parseInstant } from './operands/date-time.js';
import { constraints, POLICY_LIMITS } from './parse-constraint.js';
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
} from './terms.js';
import {
  DUTY_ACTIONS,
  type Duty,
  type DutyAction,
  type OdrlPolicy,
  type Permission,
  POLICY_TYPES,
  type PolicyProfile,
  type Prohibition,
  USAGE_ACTIONS,
  type UsageAction,
} from './types.js';

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

export { POLICY_LIMITS };

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
  if (isObject(value)) {
    // {"@id": term} or {"rdf:value": {"@id": term}}; anything else (a refinement) is refused by name.
    const found = members(value, path);
    onlyMembers(found, ['rdf:value', 'uid'], path);
    if (found.has('rdf:value') === found.has('uid'))
      throw invalid(path, 'an action object has either @id or rdf:value');
    return found.has('uid')
      ? termName(found.get('uid'), at(path, '@id'))
      : termName(found.get('rdf:value'), at(path, 'rdf:value'));
  }
  return termName(value, path);
}

function usageAction(value: unknown, path: string): UsageAction {
  return oneOf(action(value, path), USAGE_ACTIONS, path, 'action');
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
