/**
 * The policy's canonical form: its normalised model written back as compact ODRL 2.2 JSON-LD
 * (`policyToJsonLd`, which `parsePolicy` reads back to an equal policy), serialised with the
 * service's RFC 8785 canonical JSON. Two inputs that differ only in key order, term spelling
 * (`eq`, `odrl:eq`, full IRI), time-zone offsets of the same instant, the order or repetition
 * of set values, or compact (policy-level) parties give the same string and hash. Rule order
 * is kept: reports name rules by their index.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../json/canonical.js';
import { ODRL_CONTEXT } from './terms.js';
import type { Constraint, Duty, OdrlPolicy, Permission, Prohibition } from './types.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function constraintJson(constraint: Constraint): Json {
  if (constraint.kind === 'logical')
    return { [constraint.operator]: constraint.constraints.map(constraintJson) };
  const right = constraint.rightOperand;
  return {
    leftOperand: constraint.leftOperand,
    operator: constraint.operator,
    rightOperand: Array.isArray(right) ? [...(right as readonly string[])] : (right as string | number),
  };
}

function ruleJson(rule: Permission | Prohibition | Duty): { [key: string]: Json } {
  const json: { [key: string]: Json } = { action: rule.action };
  if (rule.target !== undefined) json.target = rule.target;
  if (rule.assigner !== undefined) json.assigner = rule.assigner;
  if (rule.assignee !== undefined) json.assignee = rule.assignee;
  if (rule.constraints.length > 0) json.constraint = rule.constraints.map(constraintJson);
  if ('duties' in rule && rule.duties.length > 0) json.duty = rule.duties.map(ruleJson);
  return json;
}

/** Compact ODRL 2.2 JSON-LD of a policy (input to `parsePolicy` gives the same policy back). */
export function policyToJsonLd(policy: OdrlPolicy): Record<string, unknown> {
  const json: { [key: string]: Json } = { '@context': ODRL_CONTEXT, '@type': policy.type, uid: policy.uid };
  if (policy.timestamp !== undefined) json.timestamp = policy.timestamp;
  if (policy.permissions.length > 0) json.permission = policy.permissions.map(ruleJson);
  if (policy.prohibitions.length > 0) json.prohibition = policy.prohibitions.map(ruleJson);
  if (policy.obligations.length > 0) json.obligation = policy.obligations.map(ruleJson);
  return json;
}

/** RFC 8785 canonical JSON of `policyToJsonLd(policy)`: equal policies give equal strings. */
export function canonicalPolicy(policy: OdrlPolicy): string {
  return canonicalJson(policyToJsonLd(policy));
}

/** Lower-case hex SHA-256 of the UTF-8 bytes of `canonicalPolicy(policy)`. */
export function policyHash(policy: OdrlPolicy): string {
  return createHash('sha256').update(canonicalPolicy(policy), 'utf8').digest('hex');
}
