import assert from 'node:assert/strict';
import {
  type DecisionRule,
  electorate,
  type TallyOutcome,
  type TallyReason,
  tally,
  type Vote,
} from '../../src/rulebook/index.js';

const OPENED = new Date('2026-03-01T09:00:00Z');
const DAY = 86_400_000;
const at = (days: number, ms = 0) => new Date(OPENED.getTime() + days * DAY + ms);

/** The shipped admit rule: 2 approvals and a majority of the votes cast, 14 days. */
const ADMIT: DecisionRule = {
  minApprovals: 2,
  majorityOfVotesCast: true,
  votingPeriodDays: 14,
  recusal: true,
};
/** The shipped amend-rulebook rule: 3 approvals. */
const AMEND: DecisionRule = { ...ADMIT, minApprovals: 3, votingPeriodDays: 21 };
/** The shipped renew rule: 1 approval. */
const RENEW: DecisionRule = { ...ADMIT, minApprovals: 1, votingPeriodDays: 30 };
/** A rule without the majority condition. */
const MIN_ONLY: DecisionRule = { ...ADMIT, majorityOfVotesCast: false };

function votes(approvals: number, rejections: number): Vote[] {
  return [
    ...Array.from({ length: approvals }, () => ({ decision: 'approve' as const })),
    ...Array.from({ length: rejections }, () => ({ decision: 'reject' as const })),
  ];
}

// rule, approvals, rejections, eligible voters, now, outcome, reason
type Row = [string, DecisionRule, number, number, number, Date, TallyOutcome, TallyReason];

const TABLE: Row[] = [
  // Approval: both thresholds
  ['no votes yet', ADMIT, 0, 0, 5, at(1), 'open', 'awaiting_votes'],
  ['one approval of two needed', ADMIT, 1, 0, 5, at(1), 'open', 'awaiting_votes'],
  ['two approvals, no rejection', ADMIT, 2, 0, 5, at(1), 'approved', 'thresholds_met'],
  ['two approvals, one rejection', ADMIT, 2, 1, 5, at(1), 'approved', 'thresholds_met'],
  ['every eligible voter approves', ADMIT, 5, 0, 5, at(13), 'approved', 'thresholds_met'],
  ['minimum met on the last instant of the period', ADMIT, 2, 0, 5, at(14, -1), 'approved', 'thresholds_met'],
  [
    'minimum met by votes cast in time, tallied after the period',
    ADMIT,
    2,
    0,
    5,
    at(20),
    'approved',
    'thresholds_met',
  ],
  // Ties: never a majority
  ['tie 2:2 with a voter outstanding', ADMIT, 2, 2, 5, at(1), 'open', 'awaiting_votes'],
  ['tie 2:2, everyone voted', ADMIT, 2, 2, 4, at(1), 'rejected', 'majority_unreachable'],
  ['tie 3:3 with a voter outstanding', ADMIT, 3, 3, 7, at(1), 'open', 'awaiting_votes'],
  ['tie 3:3, everyone voted', ADMIT, 3, 3, 6, at(1), 'rejected', 'majority_unreachable'],
  [
    'tie 1:1 under the one-approval rule, everyone voted',
    RENEW,
    1,
    1,
    2,
    at(1),
    'rejected',
    'majority_unreachable',
  ],
  ['tie 1:1 under the one-approval rule, one outstanding', RENEW, 1, 1, 3, at(1), 'open', 'awaiting_votes'],
  ['tie without the majority condition', MIN_ONLY, 2, 2, 4, at(1), 'approved', 'thresholds_met'],
  // Rejections
  ['two rejections, three outstanding could still approve', ADMIT, 0, 2, 5, at(1), 'open', 'awaiting_votes'],
  [
    'three rejections of five: the two left cannot outnumber them',
    ADMIT,
    0,
    3,
    5,
    at(1),
    'rejected',
    'majority_unreachable',
  ],
  [
    '1:3 of five: one outstanding approval would make 2:3',
    ADMIT,
    1,
    3,
    5,
    at(1),
    'rejected',
    'majority_unreachable',
  ],
  ['1:1 of three: minimum still reachable', ADMIT, 1, 1, 3, at(1), 'open', 'awaiting_votes'],
  [
    '1:2 of three: minimum of two unreachable',
    ADMIT,
    1,
    2,
    3,
    at(1),
    'rejected',
    'min_approvals_unreachable',
  ],
  [
    'more rejections than approvals, without the majority condition',
    MIN_ONLY,
    2,
    3,
    5,
    at(1),
    'approved',
    'thresholds_met',
  ],
  [
    '1:3 of five without the majority condition: the last voter can still make 2',
    MIN_ONLY,
    1,
    3,
    5,
    at(1),
    'open',
    'awaiting_votes',
  ],
  [
    '1:3 of four without the majority condition',
    MIN_ONLY,
    1,
    3,
    4,
    at(1),
    'rejected',
    'min_approvals_unreachable',
  ],
  ['amendment: 2:0 of three, the third can still approve', AMEND, 2, 0, 3, at(1), 'open', 'awaiting_votes'],
  ['amendment: 2:1 of three', AMEND, 2, 1, 3, at(1), 'rejected', 'min_approvals_unreachable'],
  ['amendment: 3:1 of five', AMEND, 3, 1, 5, at(1), 'approved', 'thresholds_met'],
  ['amendment: 3:3 of seven', AMEND, 3, 3, 7, at(1), 'open', 'awaiting_votes'],
  // Recusal-reduced electorate (the caller leaves recused members out of eligibleVoters)
  [
    'board of three, two recused: one eligible voter cannot make two approvals',
    ADMIT,
    0,
    0,
    1,
    at(0),
    'rejected',
    'min_approvals_unreachable',
  ],
  [
    'board of three, one recused: both remaining approve',
    ADMIT,
    2,
    0,
    2,
    at(1),
    'approved',
    'thresholds_met',
  ],
  [
    'board of three, one recused: one of the two remaining rejects',
    ADMIT,
    1,
    1,
    2,
    at(1),
    'rejected',
    'min_approvals_unreachable',
  ],
  [
    'board of three, one recused: one approval, one outstanding',
    ADMIT,
    1,
    0,
    2,
    at(1),
    'open',
    'awaiting_votes',
  ],
  [
    'amendment with a board of three, one recused',
    AMEND,
    0,
    0,
    2,
    at(0),
    'rejected',
    'min_approvals_unreachable',
  ],
  ['everyone recused', RENEW, 0, 0, 0, at(0), 'rejected', 'min_approvals_unreachable'],
  // Expired period
  ['no votes when the period ends', ADMIT, 0, 0, 5, at(14), 'rejected', 'voting_period_ended'],
  ['one approval when the period ends', ADMIT, 1, 0, 5, at(14), 'rejected', 'voting_period_ended'],
  ['one approval, one instant before the end', ADMIT, 1, 0, 5, at(14, -1), 'open', 'awaiting_votes'],
  [
    'tie with voters outstanding when the period ends',
    ADMIT,
    2,
    2,
    5,
    at(30),
    'rejected',
    'voting_period_ended',
  ],
  [
    'unreachable minimum is reported before the expired period',
    ADMIT,
    0,
    0,
    1,
    at(30),
    'rejected',
    'min_approvals_unreachable',
  ],
  [
    'unreachable majority is reported before the expired period',
    ADMIT,
    0,
    3,
    5,
    at(30),
    'rejected',
    'majority_unreachable',
  ],
  ['a tally taken before the motion opened is open', ADMIT, 0, 0, 5, at(-1), 'open', 'awaiting_votes'],
];

describe('tally: deciding a motion from its votes (rulebook `decisions`)', () => {
  for (const [name, rule, approvals, rejections, eligibleVoters, now, outcome, reason] of TABLE) {
    it(`${name} → ${outcome} (${reason})`, () => {
      const result = tally(rule, votes(approvals, rejections), { eligibleVoters, now, openedAt: OPENED });
      assert.equal(result.outcome, outcome);
      assert.equal(result.reason, reason);
      assert.equal(result.approvals, approvals);
      assert.equal(result.rejections, rejections);
      assert.equal(result.outstanding, eligibleVoters - approvals - rejections);
    });
  }

  it('does not depend on the order of the votes', () => {
    const mixed: Vote[] = [
      { decision: 'reject' },
      { decision: 'approve' },
      { decision: 'reject' },
      { decision: 'approve' },
    ];
    const result = tally(ADMIT, mixed, { eligibleVoters: 5, now: at(1), openedAt: OPENED });
    assert.deepEqual([result.outcome, result.approvals, result.rejections], ['open', 2, 2]);
  });

  it('closes the period votingPeriodDays × 24 h after opening (exclusive)', () => {
    const result = tally(ADMIT, [], { eligibleVoters: 3, now: at(1), openedAt: OPENED });
    assert.equal(result.closesAt.toISOString(), '2026-03-15T09:00:00.000Z');
  });

  it('describes the count in one sentence', () => {
    const result = tally(ADMIT, votes(1, 1), { eligibleVoters: 4, now: at(1), openedAt: OPENED });
    assert.equal(result.detail, '1 of at least 2 approvals, 1 rejection, 2 outstanding');
  });

  describe('refuses impossible input with a RangeError instead of guessing', () => {
    const context = { eligibleVoters: 3, now: at(1), openedAt: OPENED };
    const cases: [string, () => unknown][] = [
      ['more votes than eligible voters', () => tally(ADMIT, votes(3, 1), context)],
      ['a negative electorate', () => tally(ADMIT, [], { ...context, eligibleVoters: -1 })],
      ['a fractional electorate', () => tally(ADMIT, [], { ...context, eligibleVoters: 2.5 })],
      ['an unknown decision', () => tally(ADMIT, [{ decision: 'abstain' } as unknown as Vote], context)],
      ['an invalid date', () => tally(ADMIT, [], { ...context, now: new Date('not a date') })],
    ];
    for (const [name, run] of cases) it(name, () => assert.throws(run, RangeError));
  });
});

describe('electorate: who may vote on a motion (rulebook `recusal`)', () => {
  const board = ['did:web:a.example', 'did:web:b.example', 'did:web:c.example'];

  it('leaves conflicted board members out when the rule asks for recusal', () => {
    assert.deepEqual(electorate(ADMIT, board, ['did:web:b.example', 'did:web:elsewhere.example']), [
      'did:web:a.example',
      'did:web:c.example',
    ]);
  });

  it('keeps everyone when the rule does not ask for recusal', () => {
    assert.deepEqual(electorate({ ...ADMIT, recusal: false }, board, ['did:web:b.example']), board);
  });

  it('counts a board member listed twice once', () => {
    assert.deepEqual(electorate(ADMIT, [...board, 'did:web:a.example'], []), board);
  });

  it('feeds tally: a recusal that leaves fewer voters than minApprovals rejects at once', () => {
    const voters = electorate(ADMIT, board, ['did:web:a.example', 'did:web:b.example']);
    const result = tally(ADMIT, [], { eligibleVoters: voters.length, now: at(0), openedAt: OPENED });
    assert.deepEqual([result.outcome, result.reason], ['rejected', 'min_approvals_unreachable']);
  });
});
