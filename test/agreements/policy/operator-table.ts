/**
 * The evaluator's table: for each left operand and operator of the profile, requests that the
 * constraint permits and requests it refuses, with boundaries. Read each row as
 * "an Offer permitting `use` under <constraint>; <request/context> → <outcome>" and check it
 * against ODRL 2.2 Information Model §2.5.1 (Constraint) and the Vocabulary's definitions of
 * the left operands (§4.18) and operators (§4.19):
 *
 * - eq / neq: equal / not equal; lt, lteq, gt, gteq: less than, less than or equal, ...
 * - isAnyOf: the value is any of the listed values; isNoneOf: none of them;
 *   isPartOf: the value is contained by a listed value.
 *
 * The clock of every row is 2026-06-01T12:00:00Z (support.ts NOW) unless the row sets `now`;
 * `usesSoFar` is 0 unless set (so the request is use number usesSoFar + 1).
 */
import type { EvaluationContext, ExchangeRequest } from '../../../src/agreements/policy/index.js';
import { MOBILITY, OTHER } from './support.js';

export interface Row {
  readonly title: string;
  readonly constraint: Record<string, unknown>;
  readonly request?: Partial<ExchangeRequest>;
  readonly context?: Partial<EvaluationContext>;
  /** `permit`, or the decision code of the refusal. */
  readonly outcome: 'permit' | string;
}

const c = (leftOperand: string, operator: string, rightOperand: unknown) => ({
  leftOperand,
  operator,
  rightOperand,
});
const at = (iso: string) => ({ now: new Date(iso) });
const activated = (iso: string, now: string) => ({ activatedAt: new Date(iso), now: new Date(now) });

export const TABLE: Readonly<Record<string, readonly Row[]>> = {
  purpose: [
    {
      title: 'eq: the same purpose',
      constraint: c('purpose', 'eq', 'dpv:ImproveTransportMobility'),
      request: { purpose: 'dpv:ImproveTransportMobility' },
      outcome: 'permit',
    },
    {
      title: 'eq: the full DPV IRI is the same purpose',
      constraint: c('purpose', 'eq', 'dpv:ImproveTransportMobility'),
      request: { purpose: 'https://w3id.org/dpv#ImproveTransportMobility' },
      outcome: 'permit',
    },
    {
      title: 'eq: another purpose',
      constraint: c('purpose', 'eq', 'dpv:ImproveTransportMobility'),
      request: { purpose: 'dpv:ResearchAndDevelopment' },
      outcome: 'purpose_not_permitted',
    },
    {
      title: 'eq: no purpose given (fail closed)',
      constraint: c('purpose', 'eq', 'dpv:ImproveTransportMobility'),
      request: {},
      outcome: 'purpose_not_permitted',
    },
    {
      title: 'neq: another purpose',
      constraint: c('purpose', 'neq', 'dpv:ResearchAndDevelopment'),
      request: { purpose: 'dpv:ImproveTransportMobility' },
      outcome: 'permit',
    },
    {
      title: 'neq: the excluded purpose',
      constraint: c('purpose', 'neq', 'dpv:ResearchAndDevelopment'),
      request: { purpose: 'dpv:ResearchAndDevelopment' },
      outcome: 'purpose_not_permitted',
    },
    {
      title: 'neq: no purpose given (fail closed)',
      constraint: c('purpose', 'neq', 'dpv:ResearchAndDevelopment'),
      request: {},
      outcome: 'purpose_not_permitted',
    },
    {
      title: 'isAnyOf: one of the listed',
      constraint: c('purpose', 'isAnyOf', ['dpv:ImproveTransportMobility', 'dpv:PublicBenefit']),
      request: { purpose: 'dpv:PublicBenefit' },
      outcome: 'permit',
    },
    {
      title: 'isAnyOf: none of the listed',
      constraint: c('purpose', 'isAnyOf', ['dpv:ImproveTransportMobility', 'dpv:PublicBenefit']),
      request: { purpose: 'dpv:ServicePersonalisation' },
      outcome: 'purpose_not_permitted',
    },
    {
      title: 'isNoneOf: not listed',
      constraint: c('purpose', 'isNoneOf', ['dpv:ServicePersonalisation', 'dpv:PaymentManagement']),
      request: { purpose: 'dpv:PublicBenefit' },
      outcome: 'permit',
    },
    {
      title: 'isNoneOf: listed',
      constraint: c('purpose', 'isNoneOf', ['dpv:ServicePersonalisation', 'dpv:PaymentManagement']),
      request: { purpose: 'dpv:PaymentManagement' },
      outcome: 'purpose_not_permitted',
    },
    {
      title: 'isPartOf: a member of the set',
      constraint: c('purpose', 'isPartOf', ['dpv:ImprovePublicServices', 'dpv:PublicBenefit']),
      request: { purpose: 'dpv:ImprovePublicServices' },
      outcome: 'permit',
    },
    {
      title: 'isPartOf: not a member of the set',
      constraint: c('purpose', 'isPartOf', ['dpv:ImprovePublicServices']),
      request: { purpose: 'dpv:ScientificResearch' },
      outcome: 'purpose_not_permitted',
    },
  ],
  spatial: [
    {
      title: 'eq: the same code, any case',
      constraint: c('spatial', 'eq', 'DE300'),
      request: { spatial: 'de300' },
      outcome: 'permit',
    },
    {
      title: 'eq: a place within the NUTS region is in it (places, not strings)',
      constraint: c('spatial', 'eq', 'DE3'),
      request: { spatial: 'DE300' },
      outcome: 'permit',
    },
    {
      title: 'eq: a region containing the place is not within it',
      constraint: c('spatial', 'eq', 'DE300'),
      request: { spatial: 'DE3' },
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'neq: a place within the excluded region is excluded',
      constraint: c('spatial', 'neq', 'DE'),
      request: { spatial: 'DE300' },
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'isNoneOf: a place within an excluded region is excluded',
      constraint: c('spatial', 'isNoneOf', ['FR', 'DE']),
      request: { spatial: 'DE300' },
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'neq: a region containing the excluded place is partly excluded (fail closed)',
      constraint: c('spatial', 'neq', 'DE212'),
      request: { spatial: 'DE21' },
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'isNoneOf: a region containing an excluded place is partly excluded (fail closed)',
      constraint: c('spatial', 'isNoneOf', ['FR101', 'DE212']),
      request: { spatial: 'DE2' },
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'isNoneOf: a region beside the excluded one',
      constraint: c('spatial', 'isNoneOf', ['DE212']),
      request: { spatial: 'DE211' },
      outcome: 'permit',
    },
    {
      title: 'eq: no place given (fail closed)',
      constraint: c('spatial', 'eq', 'DE300'),
      request: {},
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'neq: another code',
      constraint: c('spatial', 'neq', 'FR101'),
      request: { spatial: 'DE300' },
      outcome: 'permit',
    },
    {
      title: 'neq: the excluded code',
      constraint: c('spatial', 'neq', 'FR101'),
      request: { spatial: 'FR101' },
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'isAnyOf: listed',
      constraint: c('spatial', 'isAnyOf', ['DE300', 'DE600']),
      request: { spatial: 'DE600' },
      outcome: 'permit',
    },
    {
      title: 'isAnyOf: not listed',
      constraint: c('spatial', 'isAnyOf', ['DE300', 'DE600']),
      request: { spatial: 'DE212' },
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'isNoneOf: not listed',
      constraint: c('spatial', 'isNoneOf', ['FR', 'NL']),
      request: { spatial: 'DE300' },
      outcome: 'permit',
    },
    {
      title: 'isNoneOf: listed',
      constraint: c('spatial', 'isNoneOf', ['FR', 'NL']),
      request: { spatial: 'NL' },
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'isPartOf: a NUTS 3 region within a NUTS 1 region',
      constraint: c('spatial', 'isPartOf', 'DE3'),
      request: { spatial: 'DE300' },
      outcome: 'permit',
    },
    {
      title: 'isPartOf: the region itself',
      constraint: c('spatial', 'isPartOf', 'DE3'),
      request: { spatial: 'DE3' },
      outcome: 'permit',
    },
    {
      title: 'isPartOf: the country is not within its region',
      constraint: c('spatial', 'isPartOf', 'DE3'),
      request: { spatial: 'DE' },
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'isPartOf: a region elsewhere',
      constraint: c('spatial', 'isPartOf', ['DE3', 'DE6']),
      request: { spatial: 'DE212' },
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'isPartOf: a LAU code lies only within itself',
      constraint: c('spatial', 'isPartOf', 'DE_11000000'),
      request: { spatial: 'DE_11000000' },
      outcome: 'permit',
    },
    {
      title: 'isPartOf: a LAU code is not within a code that merely prefixes it',
      constraint: c('spatial', 'isPartOf', 'DE_1100'),
      request: { spatial: 'DE_11000000' },
      outcome: 'spatial_not_permitted',
    },
    {
      title: 'isPartOf: no place given (fail closed)',
      constraint: c('spatial', 'isPartOf', 'DE3'),
      request: {},
      outcome: 'spatial_not_permitted',
    },
  ],
  recipient: [
    {
      title: 'eq: the same DID',
      constraint: c('recipient', 'eq', MOBILITY),
      request: { recipient: MOBILITY },
      outcome: 'permit',
    },
    {
      title: 'eq: another DID',
      constraint: c('recipient', 'eq', MOBILITY),
      request: { recipient: OTHER },
      outcome: 'recipient_not_permitted',
    },
    {
      title: 'eq: a role the recipient holds',
      constraint: c('recipient', 'eq', 'data-consumer'),
      request: { recipient: MOBILITY },
      outcome: 'permit',
    },
    {
      title: 'eq: a role the recipient does not hold',
      constraint: c('recipient', 'eq', 'data-consumer'),
      request: { recipient: OTHER },
      outcome: 'recipient_not_permitted',
    },
    {
      title: 'eq: no recipient given (fail closed)',
      constraint: c('recipient', 'eq', MOBILITY),
      request: {},
      outcome: 'recipient_not_permitted',
    },
    {
      title: 'neq: not the excluded DID',
      constraint: c('recipient', 'neq', OTHER),
      request: { recipient: MOBILITY },
      outcome: 'permit',
    },
    {
      title: 'neq: holds the excluded role',
      constraint: c('recipient', 'neq', 'service-provider'),
      request: { recipient: OTHER },
      outcome: 'recipient_not_permitted',
    },
    {
      title: 'isAnyOf: a DID or a role listed',
      constraint: c('recipient', 'isAnyOf', [OTHER, 'data-consumer']),
      request: { recipient: MOBILITY },
      outcome: 'permit',
    },
    {
      title: 'isAnyOf: none listed',
      constraint: c('recipient', 'isAnyOf', [MOBILITY, 'data-consumer']),
      request: { recipient: OTHER },
      outcome: 'recipient_not_permitted',
    },
    {
      title: 'isNoneOf: neither DID nor role listed',
      constraint: c('recipient', 'isNoneOf', ['service-provider']),
      request: { recipient: MOBILITY },
      outcome: 'permit',
    },
    {
      title: 'isNoneOf: holds a listed role',
      constraint: c('recipient', 'isNoneOf', ['service-provider']),
      request: { recipient: OTHER },
      outcome: 'recipient_not_permitted',
    },
    {
      title: 'isPartOf: a member of the role',
      constraint: c('recipient', 'isPartOf', ['data-consumer']),
      request: { recipient: MOBILITY },
      outcome: 'permit',
    },
    {
      title: 'isPartOf: not a member of the role',
      constraint: c('recipient', 'isPartOf', ['data-consumer']),
      request: { recipient: OTHER },
      outcome: 'recipient_not_permitted',
    },
    {
      title: 'isPartOf: a non-member holds no role',
      constraint: c('recipient', 'isPartOf', ['data-consumer']),
      request: { recipient: 'did:web:stranger.example' },
      outcome: 'recipient_not_permitted',
    },
    {
      title: 'neq: a recipient that is no active member satisfies not even an exclusion (fail closed)',
      constraint: c('recipient', 'neq', OTHER),
      request: { recipient: 'did:web:stranger.example' },
      outcome: 'recipient_not_permitted',
    },
    {
      title: 'neq: another spelling of the excluded DID is no active member (fail closed)',
      constraint: c('recipient', 'neq', 'did:web:other.example%3A443'),
      request: { recipient: 'did:web:other.example%3a443' },
      outcome: 'recipient_not_permitted',
    },
    {
      title: 'isNoneOf: a recipient that is no active member (fail closed)',
      constraint: c('recipient', 'isNoneOf', ['service-provider']),
      request: { recipient: 'did:web:stranger.example' },
      outcome: 'recipient_not_permitted',
    },
  ],
  dateTime: [
    {
      title: 'lt: before',
      constraint: c('dateTime', 'lt', '2027-01-01T00:00:00Z'),
      context: at('2026-12-31T23:59:59.999Z'),
      outcome: 'permit',
    },
    {
      title: 'lt: at the instant (boundary)',
      constraint: c('dateTime', 'lt', '2027-01-01T00:00:00Z'),
      context: at('2027-01-01T00:00:00.000Z'),
      outcome: 'outside_period',
    },
    {
      title: 'lteq: at the instant (boundary)',
      constraint: c('dateTime', 'lteq', '2027-01-01T00:00:00Z'),
      context: at('2027-01-01T00:00:00.000Z'),
      outcome: 'permit',
    },
    {
      title: 'lteq: a millisecond after',
      constraint: c('dateTime', 'lteq', '2027-01-01T00:00:00Z'),
      context: at('2027-01-01T00:00:00.001Z'),
      outcome: 'outside_period',
    },
    {
      title: 'gt: after',
      constraint: c('dateTime', 'gt', '2026-01-01T00:00:00Z'),
      context: at('2026-01-01T00:00:00.001Z'),
      outcome: 'permit',
    },
    {
      title: 'gt: at the instant (boundary)',
      constraint: c('dateTime', 'gt', '2026-01-01T00:00:00Z'),
      context: at('2026-01-01T00:00:00.000Z'),
      outcome: 'outside_period',
    },
    {
      title: 'gteq: at the instant (boundary)',
      constraint: c('dateTime', 'gteq', '2026-01-01T00:00:00Z'),
      context: at('2026-01-01T00:00:00.000Z'),
      outcome: 'permit',
    },
    {
      title: 'gteq: before',
      constraint: c('dateTime', 'gteq', '2026-01-01T00:00:00Z'),
      context: at('2025-12-31T23:59:59.999Z'),
      outcome: 'outside_period',
    },
    {
      title: 'time zones: midnight in Berlin (+01:00) is 23:00 UTC the day before; 23:30 UTC is after it',
      constraint: c('dateTime', 'lt', '2027-01-01T00:00:00+01:00'),
      context: at('2026-12-31T23:30:00Z'),
      outcome: 'outside_period',
    },
    {
      title: 'time zones: 22:59 UTC is before midnight in Berlin',
      constraint: c('dateTime', 'lt', '2027-01-01T00:00:00+01:00'),
      context: at('2026-12-31T22:59:59Z'),
      outcome: 'permit',
    },
    {
      title: 'time zones: a negative offset (-05:00) ends later in UTC',
      constraint: c('dateTime', 'lt', '2027-01-01T00:00:00-05:00'),
      context: at('2027-01-01T04:59:59Z'),
      outcome: 'permit',
    },
    {
      title: 'typed literal {"@value", "@type": "xsd:dateTime"}',
      constraint: c('dateTime', 'lt', { '@value': '2027-01-01T00:00:00Z', '@type': 'xsd:dateTime' }),
      context: at('2026-06-01T00:00:00Z'),
      outcome: 'permit',
    },
  ],
  count: [
    {
      title: 'lteq 1000: the first use',
      constraint: c('count', 'lteq', 1000),
      context: { usesSoFar: 0 },
      outcome: 'permit',
    },
    {
      title: 'lteq 1000: the 1000th use (boundary)',
      constraint: c('count', 'lteq', 1000),
      context: { usesSoFar: 999 },
      outcome: 'permit',
    },
    {
      title: 'lteq 1000: the 1001st use',
      constraint: c('count', 'lteq', 1000),
      context: { usesSoFar: 1000 },
      outcome: 'count_exceeded',
    },
    {
      title: 'lt 10: the 9th use',
      constraint: c('count', 'lt', 10),
      context: { usesSoFar: 8 },
      outcome: 'permit',
    },
    {
      title: 'lt 10: the 10th use (boundary)',
      constraint: c('count', 'lt', 10),
      context: { usesSoFar: 9 },
      outcome: 'count_exceeded',
    },
    {
      title: 'eq 1: the only use',
      constraint: c('count', 'eq', 1),
      context: { usesSoFar: 0 },
      outcome: 'permit',
    },
    {
      title: 'eq 1: a second use',
      constraint: c('count', 'eq', 1),
      context: { usesSoFar: 1 },
      outcome: 'count_exceeded',
    },
    {
      title: 'neq 3: the 2nd use',
      constraint: c('count', 'neq', 3),
      context: { usesSoFar: 1 },
      outcome: 'permit',
    },
    {
      title: 'neq 3: the 3rd use',
      constraint: c('count', 'neq', 3),
      context: { usesSoFar: 2 },
      outcome: 'count_exceeded',
    },
    {
      title: 'gt 2: the 3rd use',
      constraint: c('count', 'gt', 2),
      context: { usesSoFar: 2 },
      outcome: 'permit',
    },
    {
      title: 'gt 2: the 2nd use (boundary)',
      constraint: c('count', 'gt', 2),
      context: { usesSoFar: 1 },
      outcome: 'count_exceeded',
    },
    {
      title: 'gteq 2: the 2nd use (boundary)',
      constraint: c('count', 'gteq', 2),
      context: { usesSoFar: 1 },
      outcome: 'permit',
    },
    {
      title: 'gteq 2: the 1st use',
      constraint: c('count', 'gteq', 2),
      context: { usesSoFar: 0 },
      outcome: 'count_exceeded',
    },
    {
      title: 'a typed literal string of digits',
      constraint: c('count', 'lteq', { '@value': '5', '@type': 'xsd:integer' }),
      context: { usesSoFar: 4 },
      outcome: 'permit',
    },
    {
      title: 'a negative usesSoFar is not trusted (fail closed)',
      constraint: c('count', 'lteq', 5),
      context: { usesSoFar: -1 },
      outcome: 'count_exceeded',
    },
  ],
  elapsedTime: [
    {
      title: 'lt P30D: 29 days after activation',
      constraint: c('elapsedTime', 'lt', 'P30D'),
      context: activated('2026-05-01T00:00:00Z', '2026-05-30T00:00:00Z'),
      outcome: 'permit',
    },
    {
      title: 'lt P30D: exactly 30 days (boundary)',
      constraint: c('elapsedTime', 'lt', 'P30D'),
      context: activated('2026-05-01T00:00:00Z', '2026-05-31T00:00:00Z'),
      outcome: 'elapsed_time_exceeded',
    },
    {
      title: 'lteq P30D: exactly 30 days (boundary)',
      constraint: c('elapsedTime', 'lteq', 'P30D'),
      context: activated('2026-05-01T00:00:00Z', '2026-05-31T00:00:00Z'),
      outcome: 'permit',
    },
    {
      title: 'lteq PT12H: 12 hours and a millisecond',
      constraint: c('elapsedTime', 'lteq', 'PT12H'),
      context: activated('2026-05-01T00:00:00Z', '2026-05-01T12:00:00.001Z'),
      outcome: 'elapsed_time_exceeded',
    },
    {
      title: 'lt P1M from 31 January ends on the last day of February (calendar)',
      constraint: c('elapsedTime', 'lt', 'P1M'),
      context: activated('2026-01-31T00:00:00Z', '2026-02-27T23:59:59Z'),
      outcome: 'permit',
    },
    {
      title: 'lt P1M from 31 January: 28 February is a month later',
      constraint: c('elapsedTime', 'lt', 'P1M'),
      context: activated('2026-01-31T00:00:00Z', '2026-02-28T00:00:00Z'),
      outcome: 'elapsed_time_exceeded',
    },
    {
      title: 'lt P1Y: a leap day later',
      constraint: c('elapsedTime', 'lt', 'P1Y'),
      context: activated('2027-03-01T00:00:00Z', '2028-02-29T00:00:00Z'),
      outcome: 'permit',
    },
    {
      title: 'gt P7D: an embargo of a week, after it',
      constraint: c('elapsedTime', 'gt', 'P7D'),
      context: activated('2026-05-01T00:00:00Z', '2026-05-08T00:00:01Z'),
      outcome: 'permit',
    },
    {
      title: 'gt P7D: during the embargo',
      constraint: c('elapsedTime', 'gt', 'P7D'),
      context: activated('2026-05-01T00:00:00Z', '2026-05-03T00:00:00Z'),
      outcome: 'elapsed_time_exceeded',
    },
    {
      title: 'gteq P7D: exactly a week (boundary)',
      constraint: c('elapsedTime', 'gteq', 'P7D'),
      context: activated('2026-05-01T00:00:00Z', '2026-05-08T00:00:00Z'),
      outcome: 'permit',
    },
    {
      title: 'no activation time (fail closed)',
      constraint: c('elapsedTime', 'lt', 'P30D'),
      context: {},
      outcome: 'elapsed_time_exceeded',
    },
  ],
};
