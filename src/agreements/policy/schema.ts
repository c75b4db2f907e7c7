/**
 * JSON Schema (2020-12, as OpenAPI 3.1 uses it) of a policy in canonical form: what
 * `policyToJsonLd` writes and the register publishes (`GET /api/v1/offers/{id}`). Input is
 * wider (any spelling of the terms, compact form, typed literals) and is checked by
 * `parsePolicy`, which is the authority; this schema describes the normalised output exactly.
 *
 * The schemas refer to each other (a logical constraint holds constraints), so they are
 * returned as a set of named schemas whose references `ref(name)` builds, e.g.
 * `(name) => '#/components/schemas/' + name` for an OpenAPI document.
 */
import {
  DUTY_ACTIONS,
  LEFT_OPERANDS,
  LOGICAL_OPERATORS,
  OPERATORS,
  POLICY_TYPES,
  USAGE_ACTIONS,
} from './types.js';

export type SchemaObject = Record<string, unknown>;

/** The names of the schemas `policySchemas` returns; `OdrlPolicy` is the policy. */
export const POLICY_SCHEMA_NAMES = ['OdrlPolicy', 'OdrlRule', 'OdrlDuty', 'OdrlConstraint'] as const;
export type PolicySchemaName = (typeof POLICY_SCHEMA_NAMES)[number];

const iri = { type: 'string', maxLength: 2048, pattern: '^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]+$' };
const did = { type: 'string', maxLength: 2048, pattern: '^did:[a-z0-9]+:.+$' };

export function policySchemas(
  ref: (name: PolicySchemaName) => string,
): Record<PolicySchemaName, SchemaObject> {
  const constraints = { type: 'array', minItems: 1, items: { $ref: ref('OdrlConstraint') } };
  const parties = { target: iri, assigner: did, assignee: did };
  const rules = (name: PolicySchemaName) => ({ type: 'array', minItems: 1, items: { $ref: ref(name) } });
  return {
    OdrlPolicy: {
      type: 'object',
      description:
        'An ODRL 2.2 policy of the service profile, in canonical form (docs/agreements-policy.md).',
      required: ['@context', '@type', 'uid'],
      additionalProperties: false,
      properties: {
        '@context': { const: 'http://www.w3.org/ns/odrl.jsonld' },
        '@type': { enum: [...POLICY_TYPES] },
        uid: iri,
        timestamp: { type: 'string', format: 'date-time' },
        permission: rules('OdrlRule'),
        prohibition: rules('OdrlRule'),
        obligation: rules('OdrlDuty'),
      },
    },
    OdrlRule: {
      type: 'object',
      description: 'A permission (with duties) or prohibition; target and parties propagated to the rule.',
      required: ['action', 'target'],
      additionalProperties: false,
      properties: {
        action: { enum: [...USAGE_ACTIONS] },
        ...parties,
        constraint: constraints,
        duty: rules('OdrlDuty'),
      },
    },
    OdrlDuty: {
      type: 'object',
      required: ['action'],
      additionalProperties: false,
      properties: {
        action: { enum: [...USAGE_ACTIONS, ...DUTY_ACTIONS] },
        ...parties,
        constraint: constraints,
      },
    },
    OdrlConstraint: {
      description: 'An atomic constraint, or a logical one (exactly one of and, or, xone).',
      oneOf: [
        {
          type: 'object',
          required: ['leftOperand', 'operator', 'rightOperand'],
          additionalProperties: false,
          properties: {
            leftOperand: { enum: [...LEFT_OPERANDS] },
            operator: { enum: [...OPERATORS] },
            rightOperand: {
              oneOf: [
                { type: 'string', maxLength: 2048 },
                { type: 'integer', minimum: 0 },
                {
                  type: 'array',
                  minItems: 1,
                  maxItems: 256,
                  uniqueItems: true,
                  items: { type: 'string', maxLength: 2048 },
                },
              ],
            },
          },
        },
        ...LOGICAL_OPERATORS.map((operator) => ({
          type: 'object',
          required: [operator],
          additionalProperties: false,
          properties: { [operator]: constraints },
        })),
      ],
    },
  };
}
