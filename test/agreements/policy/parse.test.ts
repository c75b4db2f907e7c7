/**
 * Reading policies (ODRL 2.2 Information Model §2.1 Policy, §2.6 Rules, §2.5 Constraints,
 * §2.7.1 compact policies): what the profile accepts and how it is normalised, and every term
 * outside the profile refused by name (`unsupported_policy_term`) or as malformed
 * (`invalid_policy`, with the JSON Pointer of where it stands). Nothing is ignored.
 */
import assert from 'node:assert/strict';
import {
  type AtomicConstraint,
  canonicalPolicy,
  type OdrlPolicy,
  POLICY_LIMITS,
  parsePolicy,
} from '../../../src/agreements/policy/index.js';
import { CITY, MOBILITY, offer, offerJson, PARKING, profile, refused } from './support.js';

const purpose = (rightOperand: unknown, operator = 'eq') => ({
  leftOperand: 'purpose',
  operator,
  rightOperand,
});
/** The policy without one member (JSON has no undefined). */
const without = (policy: Record<string, unknown>, member: string) =>
  Object.fromEntries(Object.entries(policy).filter(([key]) => key !== member));
/** The right operand of the first constraint of the first permission. */
const firstRight = (policy: OdrlPolicy) =>
  (policy.permissions[0]?.constraints[0] as AtomicConstraint | undefined)?.rightOperand;
const withRule = (rule: Record<string, unknown>) => ({
  ...offerJson([]),
  permission: [{ action: 'use', ...rule }],
});

describe('ODRL 2.2 §2.1 Policy', () => {
  it('reads an Offer in compact form: policy-level assigner and target apply to every rule', () => {
    const policy = offer([]);
    assert.equal(policy.type, 'Offer');
    assert.equal(policy.uid, 'urn:uuid:5d1c2f5e-8a0e-4d4e-9d51-0a6f2a1b7c01');
    assert.deepEqual(policy.permissions, [
      { action: 'use', target: PARKING, assigner: CITY, constraints: [], duties: [] },
    ]);
    assert.ok(Object.isFrozen(policy) && Object.isFrozen(policy.permissions[0]));
  });

  it('a rule naming its own target overrides the policy-level one', () => {
    const policy = parsePolicy(withRule({ target: 'https://city.example/datasets/other' }), profile);
    assert.equal(policy.permissions[0]?.target, 'https://city.example/datasets/other');
  });

  it('accepts @id for uid, odrl:-prefixed and full-IRI members and terms, and the Dataspace Protocol context', () => {
    const policy = parsePolicy(
      {
        '@context': [
          'https://w3id.org/dspace/2025/1/context.jsonld',
          { odrl: 'http://www.w3.org/ns/odrl/2/' },
        ],
        '@type': 'odrl:Agreement',
        '@id': 'urn:uuid:agreement-1',
        'odrl:assigner': { '@id': CITY },
        'http://www.w3.org/ns/odrl/2/assignee': MOBILITY,
        'odrl:target': { '@id': PARKING, '@type': 'odrl:Asset' },
        'odrl:permission': {
          'odrl:action': { '@id': 'http://www.w3.org/ns/odrl/2/use' },
          'odrl:constraint': {
            'odrl:leftOperand': { '@id': 'odrl:purpose' },
            'odrl:operator': 'http://www.w3.org/ns/odrl/2/eq',
            'odrl:rightOperand': { '@id': 'https://w3id.org/dpv#ImproveTransportMobility' },
          },
        },
      },
      profile,
    );
    assert.equal(policy.uid, 'urn:uuid:agreement-1');
    assert.deepEqual(policy.permissions[0], {
      action: 'use',
      target: PARKING,
      assigner: CITY,
      assignee: MOBILITY,
      constraints: [
        {
          kind: 'atomic',
          leftOperand: 'purpose',
          operator: 'eq',
          rightOperand: 'dpv:ImproveTransportMobility',
        },
      ],
      duties: [],
    });
  });

  it('accepts an action as {"rdf:value": {"@id": ...}} without refinement', () => {
    const policy = parsePolicy(withRule({ action: { 'rdf:value': { '@id': 'odrl:read' } } }), profile);
    assert.equal(policy.permissions[0]?.action, 'read');
  });

  it('refuses what is not a policy object', () => refused([], 'invalid_policy', ''));
  it('refuses a policy without @type', () =>
    refused(without(offerJson([]), '@type'), 'invalid_policy', '/@type'));
  it('refuses a policy type outside the profile, by name', () =>
    refused({ ...offerJson([]), '@type': 'Privacy' }, 'unsupported_policy_term', '/@type', 'Privacy'));
  it('refuses a policy without uid', () => refused(without(offerJson([]), 'uid'), 'invalid_policy', '/uid'));
  it('refuses a uid that is not an IRI', () =>
    refused({ ...offerJson([]), uid: 'offer 1' }, 'invalid_policy', '/uid'));
  it('refuses a policy without rules', () =>
    refused({ ...offerJson([]), permission: [] }, 'invalid_policy', ''));
  it('refuses an Offer whose rules name no assigner', () =>
    refused(without(offerJson([]), 'assigner'), 'invalid_policy', '/permission/0/assigner'));
  it('refuses an Agreement whose rules name no assignee', () =>
    refused({ ...offerJson([]), '@type': 'Agreement' }, 'invalid_policy', '/permission/0/assignee'));
  it('refuses a context it does not know (never fetched), by URL', () =>
    refused(
      { ...offerJson([]), '@context': 'https://evil.example/ctx.jsonld' },
      'unsupported_policy_term',
      '/@context',
      'https://evil.example/ctx.jsonld',
    ));
  it('refuses an inline context that redefines a prefix', () =>
    refused(
      { ...offerJson([]), '@context': [{ odrl: 'https://evil.example/' }] },
      'unsupported_policy_term',
      '/@context/0/odrl',
      'odrl',
    ));
  for (const member of ['inheritFrom', 'conflict', 'profile', 'action']) {
    it(`refuses the policy member ${member}, by name`, () =>
      refused({ ...offerJson([]), [member]: 'x:y' }, 'unsupported_policy_term', `/${member}`, member));
  }
});

describe('ODRL 2.2 §2.6 Rules', () => {
  it('refuses an action outside the profile, by name', () =>
    refused(withRule({ action: 'print' }), 'unsupported_policy_term', '/permission/0/action', 'print'));
  it('refuses a duty-only action in a permission', () =>
    refused(
      withRule({ action: 'compensate' }),
      'unsupported_policy_term',
      '/permission/0/action',
      'compensate',
    ));
  it('refuses an action refinement, by name', () =>
    refused(
      withRule({
        action: { 'rdf:value': { '@id': 'odrl:use' }, refinement: [purpose('dpv:PublicBenefit')] },
      }),
      'unsupported_policy_term',
      '/permission/0/action/refinement',
      'refinement',
    ));
  it('refuses a refinement beside an action @id, by name', () =>
    refused(
      withRule({ action: { '@id': 'odrl:use', refinement: [purpose('dpv:PublicBenefit')] } }),
      'unsupported_policy_term',
      '/permission/0/action/refinement',
      'refinement',
    ));
  it('refuses two actions in one rule', () =>
    refused(withRule({ action: ['use', 'read'] }), 'invalid_policy', '/permission/0/action'));
  it('refuses a rule without action', () =>
    refused({ ...offerJson([]), permission: [{}] }, 'invalid_policy', '/permission/0/action'));
  it('refuses a permission without target', () =>
    refused(without(offerJson([]), 'target'), 'invalid_policy', '/permission/0/target'));
  it('refuses an AssetCollection target, by name', () =>
    refused(
      withRule({ target: { '@id': PARKING, '@type': 'AssetCollection' } }),
      'unsupported_policy_term',
      '/permission/0/target/@type',
      'AssetCollection',
    ));
  it('refuses two targets', () =>
    refused(withRule({ target: [PARKING, PARKING] }), 'invalid_policy', '/permission/0/target'));
  it('refuses an assignee that is not a DID', () =>
    refused(withRule({ assignee: 'https://mobility.example' }), 'invalid_policy', '/permission/0/assignee'));
  it('refuses a PartyCollection, by name', () =>
    refused(
      withRule({ assignee: { '@id': MOBILITY, '@type': 'PartyCollection' } }),
      'unsupported_policy_term',
      '/permission/0/assignee/@type',
      'PartyCollection',
    ));
  it('refuses a rule uid (rules are named by position), by name', () =>
    refused(withRule({ uid: 'urn:rule:1' }), 'unsupported_policy_term', '/permission/0/uid', 'uid'));
  it('refuses a duty consequence, by name', () =>
    refused(
      withRule({ duty: [{ action: 'compensate', consequence: [{ action: 'compensate' }] }] }),
      'unsupported_policy_term',
      '/permission/0/duty/0/consequence',
      'consequence',
    ));
  it('refuses a prohibition remedy, by name', () =>
    refused(
      { ...offerJson([]), prohibition: [{ action: 'distribute', remedy: [{ action: 'delete' }] }] },
      'unsupported_policy_term',
      '/prohibition/0/remedy',
      'remedy',
    ));
  it('refuses a duty with an unknown action, by name', () =>
    refused(
      withRule({ duty: [{ action: 'nextPolicy' }] }),
      'unsupported_policy_term',
      '/permission/0/duty/0/action',
      'nextPolicy',
    ));
  it('reads duties and obligations, with their constraints', () => {
    const policy = parsePolicy(
      {
        ...withRule({ duty: [{ action: 'attribute' }] }),
        obligation: [
          {
            action: 'delete',
            constraint: [{ leftOperand: 'elapsedTime', operator: 'lteq', rightOperand: 'P90D' }],
          },
        ],
      },
      profile,
    );
    assert.deepEqual(policy.permissions[0]?.duties, [{ action: 'attribute', constraints: [] }]);
    assert.deepEqual(policy.obligations, [
      {
        action: 'delete',
        target: PARKING,
        assigner: CITY,
        constraints: [{ kind: 'atomic', leftOperand: 'elapsedTime', operator: 'lteq', rightOperand: 'P90D' }],
      },
    ]);
  });
});

describe('ODRL 2.2 §2.5 Constraints: terms outside the profile', () => {
  const path = '/permission/0/constraint/0';
  it('refuses an unknown left operand, by name', () =>
    refused(
      offerJson([{ leftOperand: 'industry', operator: 'eq', rightOperand: 'x' }]),
      'unsupported_policy_term',
      `${path}/leftOperand`,
      'industry',
    ));
  it('refuses an unknown operator, by name', () =>
    refused(
      offerJson([purpose('dpv:PublicBenefit', 'hasPart')]),
      'unsupported_policy_term',
      `${path}/operator`,
      'hasPart',
    ));
  it('refuses an operator the left operand does not take (purpose lt)', () =>
    refused(
      offerJson([purpose('dpv:PublicBenefit', 'lt')]),
      'unsupported_policy_term',
      `${path}/operator`,
      'lt',
    ));
  it('refuses an operator the left operand does not take (dateTime eq)', () =>
    refused(
      offerJson([{ leftOperand: 'dateTime', operator: 'eq', rightOperand: '2027-01-01T00:00:00Z' }]),
      'unsupported_policy_term',
      `${path}/operator`,
      'eq',
    ));
  it('refuses a purpose the rulebook does not ship, by name', () =>
    refused(
      offerJson([purpose('dpv:Marketing')]),
      'unsupported_policy_term',
      `${path}/rightOperand`,
      'dpv:Marketing',
    ));
  it('refuses an unknown purpose in a list, at its index', () =>
    refused(
      offerJson([purpose(['dpv:PublicBenefit', 'dpv:Marketing'], 'isAnyOf')]),
      'unsupported_policy_term',
      `${path}/rightOperand/1`,
      'dpv:Marketing',
    ));
  it('refuses a recipient that is neither a DID nor a rulebook role, by name', () =>
    refused(
      offerJson([{ leftOperand: 'recipient', operator: 'eq', rightOperand: 'partners' }]),
      'unsupported_policy_term',
      `${path}/rightOperand`,
      'partners',
    ));
  it('refuses a dataType that does not fit the left operand, by name', () =>
    refused(
      offerJson([{ leftOperand: 'count', operator: 'lteq', rightOperand: 5, dataType: 'xsd:dateTime' }]),
      'unsupported_policy_term',
      `${path}/dataType`,
      'dateTime',
    ));
  it('refuses a typed literal whose @type does not fit, by name', () =>
    refused(
      offerJson([
        { leftOperand: 'dateTime', operator: 'lt', rightOperand: { '@value': '5', '@type': 'xsd:integer' } },
      ]),
      'unsupported_policy_term',
      `${path}/rightOperand/@type`,
      'integer',
    ));
  for (const member of ['rightOperandReference', 'unit', 'status', 'uid']) {
    it(`refuses the constraint member ${member}, by name`, () =>
      refused(
        offerJson([{ ...purpose('dpv:PublicBenefit'), [member]: 'x:y' }]),
        'unsupported_policy_term',
        `${path}/${member}`,
        member,
      ));
  }
  it('refuses andSequence, by name', () =>
    refused(
      offerJson([{ andSequence: [purpose('dpv:PublicBenefit')] }]),
      'unsupported_policy_term',
      `${path}/andSequence`,
      'andSequence',
    ));
  it('refuses a constraint given by reference', () =>
    refused(offerJson(['urn:constraint:1']), 'invalid_policy', path));
  it('refuses a logical constraint with two operators', () =>
    refused(
      offerJson([{ and: [purpose('dpv:PublicBenefit')], or: [purpose('dpv:PublicBenefit')] }]),
      'invalid_policy',
      path,
    ));
  it('refuses an empty logical constraint', () =>
    refused(offerJson([{ or: [] }]), 'invalid_policy', `${path}/or`));
});

describe('ODRL 2.2 §2.5 Constraints: values of the wrong type', () => {
  const right = '/permission/0/constraint/0/rightOperand';
  const cases: [string, string, string, unknown][] = [
    ['a count that is not a number', 'count', 'lteq', 'many'],
    ['a negative count', 'count', 'lteq', -1],
    ['a fractional count', 'count', 'lteq', 1.5],
    ['a dateTime without time-zone offset', 'dateTime', 'lt', '2027-01-01T00:00:00'],
    ['a date without time', 'dateTime', 'lt', '2027-01-01'],
    ['a dateTime that is not a real date', 'dateTime', 'lt', '2026-02-30T00:00:00Z'],
    ['an elapsedTime in weeks (not xsd:duration)', 'elapsedTime', 'lt', 'P1W'],
    ['a negative elapsedTime', 'elapsedTime', 'lt', '-P1D'],
    ['an empty duration', 'elapsedTime', 'lt', 'P'],
    ['a place that is a number', 'spatial', 'eq', 3],
    ['a place with spaces', 'spatial', 'eq', 'DE 300'],
    ['a purpose that is not a string', 'purpose', 'eq', 7],
  ];
  for (const [title, leftOperand, operator, rightOperand] of cases) {
    it(`refuses ${title}`, () =>
      refused(offerJson([{ leftOperand, operator, rightOperand }]), 'invalid_policy', right));
  }
  it('refuses two values for an operator that takes one', () =>
    refused(offerJson([purpose(['dpv:PublicBenefit', 'dpv:ScientificResearch'])]), 'invalid_policy', right));
});

describe('ODRL 2.2 §2.5 Constraints: normalisation', () => {
  it('reads eq, odrl:eq, the full IRI and {"@id"} as the same operator', () => {
    const spellings = ['eq', 'odrl:eq', 'http://www.w3.org/ns/odrl/2/eq', { '@id': 'odrl:eq' }];
    const forms = spellings.map((operator) =>
      canonicalPolicy(offer([purpose('dpv:PublicBenefit', operator as string)])),
    );
    assert.equal(new Set(forms).size, 1);
  });
  it('normalises a dateTime to UTC', () => {
    const policy = offer([
      { leftOperand: 'dateTime', operator: 'lt', rightOperand: '2027-01-01T01:30:00+01:30' },
    ]);
    assert.equal(firstRight(policy), '2027-01-01T00:00:00.000Z');
  });
  it('sorts and de-duplicates the values of a set operator, and compacts DPV IRIs', () => {
    const policy = offer([
      purpose(
        ['https://w3id.org/dpv#PublicBenefit', 'dpv:ImproveTransportMobility', 'dpv:PublicBenefit'],
        'isAnyOf',
      ),
    ]);
    assert.deepEqual(firstRight(policy), ['dpv:ImproveTransportMobility', 'dpv:PublicBenefit']);
  });
  it('reads a single value of a set operator as a list of one', () => {
    const policy = offer([{ leftOperand: 'spatial', operator: 'isPartOf', rightOperand: 'de3' }]);
    assert.deepEqual(firstRight(policy), ['DE3']);
  });
});

describe('issue 13 "Bad input": contradictory constraints and oversized policies', () => {
  const constraintPath = '/permission/0/constraint';
  it('refuses a period that ends before it starts', () =>
    refused(
      offerJson([
        { leftOperand: 'dateTime', operator: 'gt', rightOperand: '2027-01-01T00:00:00Z' },
        { leftOperand: 'dateTime', operator: 'lt', rightOperand: '2026-01-01T00:00:00Z' },
      ]),
      'invalid_policy',
      constraintPath,
    ));
  it('refuses two different purposes that must both hold', () =>
    refused(
      offerJson([purpose('dpv:PublicBenefit'), purpose('dpv:ScientificResearch')]),
      'invalid_policy',
      constraintPath,
    ));
  it('refuses a purpose list minus its only member', () =>
    refused(
      offerJson([purpose(['dpv:PublicBenefit'], 'isAnyOf'), purpose('dpv:PublicBenefit', 'neq')]),
      'invalid_policy',
      constraintPath,
    ));
  for (const [operator, rightOperand] of [
    ['lt', 0],
    ['lt', 1],
    ['lteq', 0],
    ['eq', 0],
  ] as const) {
    it(`refuses count ${operator} ${rightOperand} alone: no use (the first is number 1) could satisfy it`, () =>
      refused(
        offerJson([{ leftOperand: 'count', operator, rightOperand }]),
        'invalid_policy',
        constraintPath,
      ));
  }
  it('accepts count lteq 1 and count lt 2 (one use)', () => {
    for (const operator of ['lteq', 'lt'] as const)
      offer([{ leftOperand: 'count', operator, rightOperand: operator === 'lteq' ? 1 : 2 }]);
  });
  it('refuses count eq 3 with count neq 3', () =>
    refused(
      offerJson([
        { leftOperand: 'count', operator: 'eq', rightOperand: 3 },
        { leftOperand: 'count', operator: 'neq', rightOperand: 3 },
      ]),
      'invalid_policy',
      constraintPath,
    ));
  it('accepts two recipient roles (one member may hold both)', () => {
    const policy = offer([
      { leftOperand: 'recipient', operator: 'eq', rightOperand: 'data-consumer' },
      { leftOperand: 'recipient', operator: 'eq', rightOperand: 'service-provider' },
    ]);
    assert.equal(policy.permissions[0]?.constraints.length, 2);
  });
  it('accepts a period of one instant (gteq and lteq the same)', () => {
    const instant = '2027-01-01T00:00:00Z';
    const policy = offer([
      { leftOperand: 'dateTime', operator: 'gteq', rightOperand: instant },
      { leftOperand: 'dateTime', operator: 'lteq', rightOperand: instant },
    ]);
    assert.equal(policy.permissions[0]?.constraints.length, 2);
  });
  it(`refuses more than ${POLICY_LIMITS.rules} rules`, () =>
    refused(
      { ...offerJson([]), permission: Array(POLICY_LIMITS.rules + 1).fill({ action: 'use' }) },
      'invalid_policy',
      `/permission/${POLICY_LIMITS.rules}`,
    ));
  it(`refuses more than ${POLICY_LIMITS.constraintsPerRule} constraints in a rule`, () =>
    refused(
      offerJson(Array(POLICY_LIMITS.constraintsPerRule + 1).fill(purpose('dpv:PublicBenefit'))),
      'invalid_policy',
      `${constraintPath}/${POLICY_LIMITS.constraintsPerRule}`,
    ));
  it(`refuses logical constraints nested deeper than ${POLICY_LIMITS.logicalDepth}`, () => {
    let nested: unknown = purpose('dpv:PublicBenefit');
    for (let i = 0; i <= POLICY_LIMITS.logicalDepth; i++) nested = { and: [nested] };
    const error = refused(
      offerJson([nested]),
      'invalid_policy',
      `${constraintPath}/0/and/0/and/0/and/0/and/0`,
    );
    return error;
  });
  it(`refuses more than ${POLICY_LIMITS.setSize} values in a set`, () =>
    refused(
      offerJson([
        {
          leftOperand: 'spatial',
          operator: 'isAnyOf',
          rightOperand: Array.from({ length: POLICY_LIMITS.setSize + 1 }, (_, i) => `LAU${i}`),
        },
      ]),
      'invalid_policy',
      `${constraintPath}/0/rightOperand`,
    ));
  it('refuses an over-long IRI', () =>
    refused(
      { ...offerJson([]), target: `https://city.example/${'a'.repeat(POLICY_LIMITS.stringLength)}` },
      'invalid_policy',
      '/target',
    ));
});
