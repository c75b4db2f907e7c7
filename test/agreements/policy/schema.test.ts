/**
 * The JSON Schema of the canonical form (src/agreements/policy/schema.ts): every policy the
 * parser accepts, written back by policyToJsonLd, validates (ajv 2020-12, strict, formats, as
 * the OpenAPI test uses it); output that is not of the profile does not.
 */
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parsePolicy, policySchemas, policyToJsonLd } from '../../../src/agreements/policy/index.js';
import { TABLE } from './operator-table.js';
import { CITY, MOBILITY, offer, offerJson, PARKING, profile } from './support.js';

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormatsModule.default(ajv);
const validate = ajv.compile({
  $id: 'urn:test:odrl-policy',
  $ref: '#/$defs/OdrlPolicy',
  $defs: policySchemas((name) => `#/$defs/${name}`),
});

const valid = (json: unknown) => {
  const ok = validate(json);
  assert.ok(ok, JSON.stringify(validate.errors));
};

describe('the JSON Schema of the canonical form', () => {
  it('validates the canonical form of every policy of the operator table', () => {
    for (const row of Object.values(TABLE).flat()) valid(policyToJsonLd(offer([row.constraint])));
  });

  it('validates an Agreement with timestamp, nested logical constraints, duties, prohibitions and obligations', () => {
    const policy = parsePolicy(
      {
        ...offerJson([
          {
            or: [
              { and: [{ leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:PublicBenefit' }] },
              {
                xone: [
                  { leftOperand: 'count', operator: 'lteq', rightOperand: 5 },
                  { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: 'DE3' },
                ],
              },
            ],
          },
        ]),
        '@type': 'Agreement',
        assignee: MOBILITY,
        timestamp: '2026-05-20T09:30:00Z',
        prohibition: [{ action: 'distribute' }],
        obligation: [
          {
            action: 'delete',
            constraint: [{ leftOperand: 'elapsedTime', operator: 'lteq', rightOperand: 'P90D' }],
          },
        ],
      },
      profile,
    );
    valid(policyToJsonLd(policy));
  });

  const bad: [string, Record<string, unknown>][] = [
    ['an action outside the profile', { permission: [{ action: 'print', target: PARKING, assigner: CITY }] }],
    [
      'an unknown member',
      { permission: [{ action: 'use', target: PARKING, assigner: CITY, refinement: [] }] },
    ],
    ['a rule without target', { permission: [{ action: 'use', assigner: CITY }] }],
    [
      'a party that is not a DID',
      { permission: [{ action: 'use', target: PARKING, assigner: 'https://city.example' }] },
    ],
    [
      'two logical operators in one constraint',
      { permission: [{ action: 'use', target: PARKING, constraint: [{ and: [], or: [] }] }] },
    ],
    [
      'an unknown left operand',
      {
        permission: [
          {
            action: 'use',
            target: PARKING,
            constraint: [{ leftOperand: 'industry', operator: 'eq', rightOperand: 'x' }],
          },
        ],
      },
    ],
  ];
  for (const [title, change] of bad) {
    it(`refuses ${title}`, () => {
      const json = { ...policyToJsonLd(offer([])), ...change };
      assert.equal(validate(json), false);
    });
  }
});
