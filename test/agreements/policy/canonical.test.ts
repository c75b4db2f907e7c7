/**
 * The canonical form (RFC 8785 JCS of the normalised policy as compact ODRL JSON-LD): what the
 * register hashes and both parties sign. Equal policies give equal bytes, whatever the key
 * order or spelling of the input; parsing the canonical form gives the same policy back.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  canonicalPolicy,
  parsePolicy,
  policyHash,
  policyToJsonLd,
} from '../../../src/agreements/policy/index.js';
import { CITY, MOBILITY, offer, PARKING, profile } from './support.js';

const AGREEMENT = {
  '@context': 'http://www.w3.org/ns/odrl.jsonld',
  '@type': 'Agreement',
  uid: 'urn:uuid:agreement-7',
  assigner: CITY,
  assignee: MOBILITY,
  target: PARKING,
  permission: [
    {
      action: 'read',
      constraint: [
        {
          leftOperand: 'purpose',
          operator: 'isAnyOf',
          rightOperand: ['dpv:PublicBenefit', 'dpv:ImproveTransportMobility'],
        },
        { leftOperand: 'dateTime', operator: 'lt', rightOperand: '2027-01-01T01:00:00+01:00' },
      ],
      duty: [{ action: 'attribute' }],
    },
  ],
};

/** The same agreement with every object's keys in reverse order, other spellings and a rule-level target. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, member]) => [key, reordered(member)]),
  );
}

describe('canonical form (RFC 8785 JCS of the normalised policy)', () => {
  it('is this exact string for the example agreement (a test vector)', () => {
    assert.equal(
      canonicalPolicy(parsePolicy(AGREEMENT, profile)),
      '{"@context":"http://www.w3.org/ns/odrl.jsonld","@type":"Agreement","permission":[{"action":"read",' +
        `"assignee":"${MOBILITY}","assigner":"${CITY}","constraint":[{"leftOperand":"purpose","operator":"isAnyOf",` +
        '"rightOperand":["dpv:ImproveTransportMobility","dpv:PublicBenefit"]},{"leftOperand":"dateTime","operator":"lt",' +
        `"rightOperand":"2027-01-01T00:00:00.000Z"}],"duty":[{"action":"attribute"}],"target":"${PARKING}"}],` +
        '"uid":"urn:uuid:agreement-7"}',
    );
  });

  it('does not change with key order', () => {
    assert.equal(
      canonicalPolicy(parsePolicy(reordered(AGREEMENT), profile)),
      canonicalPolicy(parsePolicy(AGREEMENT, profile)),
    );
  });

  it('does not change with term spelling, time-zone offset, set order or compaction', () => {
    const other = {
      '@type': 'odrl:Agreement',
      '@id': 'urn:uuid:agreement-7',
      permission: {
        action: 'http://www.w3.org/ns/odrl/2/read',
        target: { '@id': PARKING },
        assigner: CITY,
        assignee: { uid: MOBILITY },
        constraint: [
          {
            leftOperand: 'odrl:purpose',
            operator: { '@id': 'odrl:isAnyOf' },
            rightOperand: [
              'https://w3id.org/dpv#ImproveTransportMobility',
              'dpv:PublicBenefit',
              'dpv:PublicBenefit',
            ],
          },
          {
            leftOperand: 'dateTime',
            operator: 'odrl:lt',
            rightOperand: { '@value': '2026-12-31T19:00:00-05:00', '@type': 'xsd:dateTime' },
          },
        ],
        duty: { action: 'odrl:attribute' },
      },
    };
    assert.equal(
      canonicalPolicy(parsePolicy(other, profile)),
      canonicalPolicy(parsePolicy(AGREEMENT, profile)),
    );
  });

  it('changes with any change of meaning', () => {
    const base = canonicalPolicy(parsePolicy(AGREEMENT, profile));
    const [rule] = AGREEMENT.permission;
    const later = {
      ...AGREEMENT,
      permission: [
        {
          ...rule,
          constraint: [
            rule?.constraint[0],
            { ...rule?.constraint[1], rightOperand: '2027-01-01T02:00:00+01:00' },
          ],
        },
      ],
    };
    const widerAction = { ...AGREEMENT, permission: [{ ...rule, action: 'use' }] };
    for (const changed of [later, widerAction])
      assert.notEqual(canonicalPolicy(parsePolicy(changed, profile)), base);
  });

  it('parses back to the same policy (policyToJsonLd is input to parsePolicy)', () => {
    const policy = parsePolicy(AGREEMENT, profile);
    const again = parsePolicy(JSON.parse(JSON.stringify(policyToJsonLd(policy))), profile);
    assert.deepEqual(again, policy);
    const withLogic = offer([
      {
        xone: [
          { leftOperand: 'count', operator: 'lteq', rightOperand: 10 },
          { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: 'DE3' },
        ],
      },
    ]);
    assert.deepEqual(parsePolicy(policyToJsonLd(withLogic), profile), withLogic);
  });

  it('policyHash is the SHA-256 of the canonical UTF-8 bytes', () => {
    const policy = parsePolicy(AGREEMENT, profile);
    assert.equal(
      policyHash(policy),
      createHash('sha256').update(canonicalPolicy(policy), 'utf8').digest('hex'),
    );
    assert.match(policyHash(policy), /^[0-9a-f]{64}$/);
  });
});
