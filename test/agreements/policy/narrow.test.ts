/**
 * Narrowing (issue 13 §2): a consumer's Agreement is within the provider's Offer when it
 * permits nothing more (fewer actions, a subset of purposes, a shorter period, a smaller
 * region, fewer uses, extra constraints) and keeps every prohibition, duty and obligation, as
 * strict or stricter. What cannot be proved is refused with `not_within_offer`, naming the rule
 * and the term. Each case is tried in both directions.
 */
import assert from 'node:assert/strict';
import {
  type NarrowingResult,
  narrows,
  type OdrlPolicy,
  parsePolicy,
} from '../../../src/agreements/policy/index.js';
import { CITY, MOBILITY, PARKING, profile } from './support.js';

const c = (leftOperand: string, operator: string, rightOperand: unknown) => ({
  leftOperand,
  operator,
  rightOperand,
});

const OFFER_CONSTRAINTS = [
  c('purpose', 'isAnyOf', ['dpv:ImproveTransportMobility', 'dpv:PublicBenefit', 'dpv:ScientificResearch']),
  c('dateTime', 'lt', '2027-07-01T00:00:00Z'),
  c('spatial', 'isPartOf', 'DE3'),
  c('count', 'lteq', 1000),
];

function policy(
  type: 'Offer' | 'Agreement',
  changes: Record<string, unknown> = {},
  rule: Record<string, unknown> = {},
): OdrlPolicy {
  return parsePolicy(
    {
      '@context': 'http://www.w3.org/ns/odrl.jsonld',
      '@type': type,
      uid: `urn:uuid:${type.toLowerCase()}-1`,
      assigner: CITY,
      ...(type === 'Agreement' ? { assignee: MOBILITY } : {}),
      target: PARKING,
      permission: [
        { action: 'use', constraint: OFFER_CONSTRAINTS, duty: [{ action: 'attribute' }], ...rule },
      ],
      prohibition: [{ action: 'distribute' }],
      obligation: [{ action: 'delete', constraint: [c('elapsedTime', 'lteq', 'P90D')] }],
      ...changes,
    },
    profile,
  );
}

const OFFER = policy('Offer');
const agreement = (rule: Record<string, unknown>, changes: Record<string, unknown> = {}) =>
  policy('Agreement', changes, rule);
const withConstraint = (index: number, constraint: unknown) =>
  agreement({ constraint: OFFER_CONSTRAINTS.map((x, i) => (i === index ? constraint : x)) });

function within(result: NarrowingResult): void {
  assert.equal(result.within, true, JSON.stringify(result.problems));
  assert.deepEqual(result.problems, []);
}

function notWithin(result: NarrowingResult, rule: string, term: string): void {
  assert.equal(result.within, false);
  assert.equal(result.within === false && result.code, 'not_within_offer');
  assert.ok(
    result.problems.some((p) => p.rule === rule && p.term === term),
    `expected ${rule} ${term} in ${JSON.stringify(result.problems)}`,
  );
}

describe('narrowing: an Agreement within its Offer', () => {
  const accepted: [string, OdrlPolicy][] = [
    ['the same terms, to one assignee', agreement({})],
    ['a narrower action (read)', agreement({ action: 'read' })],
    [
      'one purpose of the offered ones',
      withConstraint(0, c('purpose', 'eq', 'dpv:ImproveTransportMobility')),
    ],
    [
      'a subset of the purposes',
      withConstraint(0, c('purpose', 'isAnyOf', ['dpv:PublicBenefit', 'dpv:ScientificResearch'])),
    ],
    [
      'purposes as an or of offered ones',
      withConstraint(0, {
        or: [c('purpose', 'eq', 'dpv:PublicBenefit'), c('purpose', 'eq', 'dpv:ScientificResearch')],
      }),
    ],
    ['a shorter period', withConstraint(1, c('dateTime', 'lteq', '2027-01-01T00:00:00+01:00'))],
    ['a NUTS region within the offered one', withConstraint(2, c('spatial', 'isPartOf', ['DE30', 'DE37']))],
    ['one place within the offered region', withConstraint(2, c('spatial', 'eq', 'DE300'))],
    ['fewer uses (lt 1000 is lteq 999)', withConstraint(3, c('count', 'lt', 1000))],
    ['the same count (boundary)', withConstraint(3, c('count', 'lteq', 1000))],
    [
      'an extra constraint',
      agreement({ constraint: [...OFFER_CONSTRAINTS, c('recipient', 'eq', MOBILITY)] }),
    ],
    ['the offered constraints inside an and', agreement({ constraint: [{ and: OFFER_CONSTRAINTS }] })],
    ['an extra duty', agreement({ duty: [{ action: 'attribute' }, { action: 'inform' }] })],
    [
      'a wider prohibition and an extra one',
      agreement(
        {},
        {
          prohibition: [
            { action: 'use', constraint: [c('spatial', 'eq', 'FR101')] },
            { action: 'distribute' },
            { action: 'transfer' },
          ],
        },
      ),
    ],
    [
      'a stricter obligation (delete within 30 days, not 90)',
      agreement({}, { obligation: [{ action: 'delete', constraint: [c('elapsedTime', 'lteq', 'P30D')] }] }),
    ],
  ];
  for (const [title, proposed] of accepted) {
    it(`accepts ${title}`, () => within(narrows(OFFER, proposed)));
  }
  it('accepts a policy within itself', () => within(narrows(OFFER, OFFER)));
});

describe('narrowing: refused with not_within_offer, naming the rule and term', () => {
  const refusedCases: [string, OdrlPolicy, string, string][] = [
    [
      'a wider action (transfer is not included in use)',
      agreement({ action: 'transfer' }),
      '/permissions/0',
      'transfer',
    ],
    [
      'another target',
      agreement({ target: 'https://city.example/datasets/other' }),
      '/permissions/0',
      'target',
    ],
    [
      'a purpose the offer does not name',
      withConstraint(0, c('purpose', 'eq', 'dpv:ServiceProvision')),
      '/permissions/0',
      'purpose',
    ],
    [
      'a purpose list with one more',
      withConstraint(0, c('purpose', 'isAnyOf', ['dpv:PublicBenefit', 'dpv:ServiceProvision'])),
      '/permissions/0',
      'purpose',
    ],
    [
      'purposes by exclusion only',
      withConstraint(0, c('purpose', 'neq', 'dpv:ServiceProvision')),
      '/permissions/0',
      'purpose',
    ],
    [
      'no purpose constraint',
      agreement({ constraint: OFFER_CONSTRAINTS.slice(1) }),
      '/permissions/0',
      'purpose',
    ],
    [
      'a longer period',
      withConstraint(1, c('dateTime', 'lt', '2028-01-01T00:00:00Z')),
      '/permissions/0',
      'dateTime',
    ],
    [
      'the period end, inclusive (lteq where lt was offered)',
      withConstraint(1, c('dateTime', 'lteq', '2027-07-01T00:00:00Z')),
      '/permissions/0',
      'dateTime',
    ],
    [
      'the whole country for a region',
      withConstraint(2, c('spatial', 'isPartOf', 'DE')),
      '/permissions/0',
      'spatial',
    ],
    [
      'a place outside the region',
      withConstraint(2, c('spatial', 'eq', 'DE212')),
      '/permissions/0',
      'spatial',
    ],
    ['more uses', withConstraint(3, c('count', 'lteq', 1001)), '/permissions/0', 'count'],
    ['a dropped duty', agreement({ duty: [] }), '/permissions/0', 'attribute'],
    [
      'another assigner',
      agreement({}, { assigner: 'did:web:elsewhere.example' }),
      '/permissions/0',
      'assigner',
    ],
    ['a dropped prohibition', agreement({}, { prohibition: [] }), '/prohibitions/0', 'distribute'],
    [
      'a prohibition made conditional',
      agreement({}, { prohibition: [{ action: 'distribute', constraint: [c('spatial', 'eq', 'FR101')] }] }),
      '/prohibitions/0',
      'distribute',
    ],
    [
      'a looser obligation (180 days, not 90)',
      agreement({}, { obligation: [{ action: 'delete', constraint: [c('elapsedTime', 'lteq', 'P180D')] }] }),
      '/obligations/0',
      'delete',
    ],
    ['a dropped obligation', agreement({}, { obligation: undefined }), '/obligations/0', 'delete'],
  ];
  for (const [title, proposed, rule, term] of refusedCases) {
    it(`refuses ${title}`, () => notWithin(narrows(OFFER, proposed), rule, term));
  }

  it('is not symmetric: the offer is not within a narrowed agreement', () => {
    const purposes = OFFER_CONSTRAINTS.map((x, i) =>
      i === 0 ? c('purpose', 'eq', 'dpv:ImproveTransportMobility') : x,
    );
    const narrowed = policy('Offer', {}, { constraint: purposes });
    within(narrows(OFFER, narrowed));
    notWithin(narrows(narrowed, OFFER), '/permissions/0', 'purpose');
    // An Agreement names its assignee; an Offer made to anyone is wider than it.
    notWithin(narrows(agreement({}), OFFER), '/permissions/0', 'assignee');
  });

  it('lists every problem, not only the first', () => {
    const result = narrows(
      OFFER,
      agreement({ action: 'transfer' }, { prohibition: [], obligation: undefined }),
    );
    assert.equal(result.problems.length, 3);
  });
});

describe('narrowing is conservative where the answer depends on facts it does not have', () => {
  const offerWith = (constraint: unknown) => policy('Offer', {}, { constraint: [constraint], duty: [] });
  const agreementWith = (constraint: unknown) =>
    policy('Agreement', {}, { constraint: [constraint], duty: [] });

  it('a month may be 31 days: lt P1M is not within lt P30D', () =>
    notWithin(
      narrows(offerWith(c('elapsedTime', 'lt', 'P30D')), agreementWith(c('elapsedTime', 'lt', 'P1M'))),
      '/permissions/0',
      'elapsedTime',
    ));
  it('a month is at least 28 days: lt P28D is within lt P1M', () =>
    within(narrows(offerWith(c('elapsedTime', 'lt', 'P1M')), agreementWith(c('elapsedTime', 'lt', 'P28D')))));
  it('but lt P29D is not (February)', () =>
    notWithin(
      narrows(offerWith(c('elapsedTime', 'lt', 'P1M')), agreementWith(c('elapsedTime', 'lt', 'P29D'))),
      '/permissions/0',
      'elapsedTime',
    ));
  it('a member DID is not provably in a role (roles change): refused', () =>
    notWithin(
      narrows(
        offerWith(c('recipient', 'isAnyOf', ['data-consumer'])),
        agreementWith(c('recipient', 'eq', MOBILITY)),
      ),
      '/permissions/0',
      'recipient',
    ));
  it('a role excluded by the offer is not provably avoided by a DID: refused', () =>
    notWithin(
      narrows(
        offerWith(c('recipient', 'neq', 'service-provider')),
        agreementWith(c('recipient', 'eq', MOBILITY)),
      ),
      '/permissions/0',
      'recipient',
    ));
  it('a DID excluded by the offer is avoided by another DID: accepted', () =>
    within(
      narrows(
        offerWith(c('recipient', 'neq', 'did:web:other.example')),
        agreementWith(c('recipient', 'eq', MOBILITY)),
      ),
    ));
  it('xone in the offer: only the identical constraint is accepted', () => {
    const xone = { xone: [c('spatial', 'eq', 'DE300'), c('purpose', 'eq', 'dpv:PublicBenefit')] };
    within(narrows(offerWith(xone), agreementWith(xone)));
    notWithin(narrows(offerWith(xone), agreementWith(c('spatial', 'eq', 'DE300'))), '/permissions/0', 'xone');
  });
});

describe('narrowing is bounded', () => {
  it('a proposal made of many or-constraints is decided quickly (refused when unproven)', () => {
    const ors = Array.from({ length: 10 }, () => ({
      or: [c('purpose', 'eq', 'dpv:PublicBenefit'), c('purpose', 'eq', 'dpv:ScientificResearch')],
    }));
    const offered = policy('Offer', {}, { constraint: [c('spatial', 'eq', 'DE300')], duty: [] });
    const proposed = policy('Agreement', {}, { constraint: ors, duty: [] });
    const started = performance.now();
    notWithin(narrows(offered, proposed), '/permissions/0', 'spatial');
    assert.ok(performance.now() - started < 1000);
  });

  it('many permissions of many or-constraints against many offered permissions: still quick, refused', () => {
    const ors = Array.from({ length: 10 }, () => ({
      or: [c('purpose', 'eq', 'dpv:PublicBenefit'), c('purpose', 'eq', 'dpv:ScientificResearch')],
    }));
    const offeredRules = Array.from({ length: 30 }, (_, i) => ({
      action: 'use',
      constraint: [c('spatial', 'eq', `DE${i}`)],
    }));
    const proposedRules = Array.from({ length: 30 }, () => ({ action: 'use', constraint: ors }));
    const offered = policy('Offer', {
      permission: offeredRules,
      prohibition: undefined,
      obligation: undefined,
    });
    const proposed = policy('Agreement', {
      permission: proposedRules,
      prohibition: undefined,
      obligation: undefined,
    });
    const started = performance.now();
    const result = narrows(offered, proposed);
    assert.equal(result.within, false);
    assert.equal(result.problems.length, 30);
    assert.ok(performance.now() - started < 2000, `${performance.now() - started} ms`);
  });
});
