/**
 * Realistic policies, end to end through parse → canonical → narrows → evaluate: an Agreement
 * in the shape the Eclipse Dataspace Protocol's contract negotiation exchanges (an ODRL
 * Agreement with `@id`, `target`, `timestamp`, `assigner`, `assignee`; values are ours), and a
 * city's parking-data offer with a consumer's narrowed agreement (issue 13 "Done when": the
 * check is permitted for an allowed purpose and refused for another).
 */
import assert from 'node:assert/strict';
import { canonicalPolicy, evaluate, narrows, parsePolicy } from '../../../src/agreements/policy/index.js';
import { CITY, context, MOBILITY, PARKING, profile, refused, request } from './support.js';

describe('the Dataspace Protocol agreement shape (contract negotiation, ContractAgreementMessage.agreement)', () => {
  const agreement = {
    '@context': 'https://w3id.org/dspace/2025/1/context.jsonld',
    '@id': 'urn:uuid:0f5f6c1e-3a52-4a8b-9d0c-6d3c0e1f9a10',
    '@type': 'Agreement',
    target: 'urn:uuid:7a4c2b9e-1111-4c2d-8e3f-2a1b0c9d8e7f',
    timestamp: '2026-05-20T09:30:00+02:00',
    assigner: CITY,
    assignee: MOBILITY,
    permission: [
      {
        action: 'use',
        constraint: [{ leftOperand: 'dateTime', operator: 'lteq', rightOperand: '2026-12-31T23:59:59Z' }],
      },
    ],
  };

  it('is read, with its timestamp in UTC', () => {
    const policy = parsePolicy(agreement, profile);
    assert.equal(policy.type, 'Agreement');
    assert.equal(policy.timestamp, '2026-05-20T07:30:00.000Z');
    assert.match(canonicalPolicy(policy), /"timestamp":"2026-05-20T07:30:00.000Z"/);
  });
  it('permits use by the assignee within the period, and not after it', () => {
    const policy = parsePolicy(agreement, profile);
    const asked = request({ target: agreement.target });
    assert.equal(evaluate(policy, asked, context()).permitted, true);
    const late = evaluate(policy, asked, context({ now: new Date('2027-01-01T00:00:00Z') }));
    assert.equal(late.code, 'outside_period');
  });
  it('refuses a timestamp without time-zone offset', () =>
    refused({ ...agreement, timestamp: '2026-05-20T09:30:00' }, 'invalid_policy', '/timestamp'));
  it('refuses a timestamp on an Offer, by name', () =>
    refused({ ...agreement, '@type': 'Offer' }, 'unsupported_policy_term', '/timestamp', 'timestamp'));
  it('refuses parties that are not DIDs (the data space names members by DID)', () =>
    refused({ ...agreement, assignee: 'urn:connector:consumer' }, 'invalid_policy', '/assignee'));
});

describe("a city's parking-occupancy offer and a mobility company's agreement", () => {
  const OFFER = {
    '@context': 'http://www.w3.org/ns/odrl.jsonld',
    '@type': 'Offer',
    uid: 'https://city.example/offers/parking-occupancy/v1',
    assigner: CITY,
    target: PARKING,
    permission: [
      {
        action: 'use',
        constraint: [
          {
            leftOperand: 'purpose',
            operator: 'isAnyOf',
            rightOperand: ['dpv:ImproveTransportMobility', 'dpv:ImprovePublicServices'],
          },
          { leftOperand: 'dateTime', operator: 'gteq', rightOperand: '2026-01-01T00:00:00+01:00' },
          { leftOperand: 'dateTime', operator: 'lt', rightOperand: '2027-01-01T00:00:00+01:00' },
          // Berlin is NUTS 3 region DE300.
          { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: 'DE3' },
          { leftOperand: 'count', operator: 'lteq', rightOperand: 1000 },
          {
            leftOperand: 'recipient',
            operator: 'isAnyOf',
            rightOperand: ['data-consumer', 'public-authority'],
          },
        ],
        duty: [{ action: 'attribute' }],
      },
    ],
    prohibition: [{ action: 'distribute' }],
    obligation: [
      {
        action: 'delete',
        constraint: [{ leftOperand: 'elapsedTime', operator: 'lteq', rightOperand: 'P90D' }],
      },
    ],
  };
  const AGREEMENT = {
    ...OFFER,
    '@type': 'Agreement',
    uid: 'urn:uuid:3e2f8a1c-0b7d-4f3e-a1c2-9d8e7f6a5b4c',
    assignee: MOBILITY,
    permission: [
      {
        action: 'read',
        constraint: [
          { leftOperand: 'purpose', operator: 'eq', rightOperand: 'dpv:ImproveTransportMobility' },
          { leftOperand: 'dateTime', operator: 'gteq', rightOperand: '2026-01-01T00:00:00+01:00' },
          { leftOperand: 'dateTime', operator: 'lt', rightOperand: '2026-10-01T00:00:00+02:00' },
          { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: 'DE300' },
          { leftOperand: 'count', operator: 'lteq', rightOperand: 1000 },
          {
            leftOperand: 'recipient',
            operator: 'isAnyOf',
            rightOperand: ['data-consumer', 'public-authority'],
          },
        ],
        duty: [{ action: 'attribute' }],
      },
    ],
  };
  const offer = parsePolicy(OFFER, profile);
  const agreement = parsePolicy(AGREEMENT, profile);
  const berlin = {
    action: 'read',
    purpose: 'dpv:ImproveTransportMobility',
    spatial: 'DE300',
    recipient: MOBILITY,
  };

  it('the agreement is within the offer', () => assert.equal(narrows(offer, agreement).within, true));
  it('the offer is not within the agreement', () => assert.equal(narrows(agreement, offer).within, false));
  it('permits reading for the agreed purpose in Berlin, with the duties to perform', () => {
    const decision = evaluate(agreement, request(berlin), context({ usesSoFar: 41 }));
    assert.equal(decision.permitted, true);
    assert.deepEqual(
      decision.duties.map((d) => d.action),
      ['attribute', 'delete'],
    );
  });
  it('refuses another purpose', () =>
    assert.equal(
      evaluate(agreement, request({ ...berlin, purpose: 'dpv:ImprovePublicServices' }), context()).code,
      'purpose_not_permitted',
    ));
  it('refuses the 1001st use', () =>
    assert.equal(evaluate(agreement, request(berlin), context({ usesSoFar: 1000 })).code, 'count_exceeded'));
  it('refuses after the agreed period (the offer would still permit)', () => {
    const october = context({ now: new Date('2026-10-01T00:00:00+02:00') });
    assert.equal(evaluate(agreement, request(berlin), october).code, 'outside_period');
  });
  it('refuses distribution, which the offer prohibits', () =>
    assert.equal(
      evaluate(agreement, request({ ...berlin, action: 'distribute' }), context()).code,
      'prohibited',
    ));
  it('refuses a recipient outside the roles', () =>
    assert.equal(
      evaluate(agreement, request({ ...berlin, recipient: 'did:web:other.example' }), context()).code,
      'recipient_not_permitted',
    ));
});
