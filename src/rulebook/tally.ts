import type { DecisionRule } from './types.js';

/** One counted vote. Recused board members' votes are never passed in. */
export interface Vote {
  readonly decision: 'approve' | 'reject';
}

export interface TallyContext {
  /**
   * How many board members may vote on this motion: the board, minus the members who recuse
   * themselves when the rule asks for recusal (see `electorate`). Votes are assumed to come
   * from distinct members of this electorate.
   */
  readonly eligibleVoters: number;
  /** The instant the tally is taken at. */
  readonly now: Date;
  /** When the motion was opened: the voting period starts here. */
  readonly openedAt: Date;
}

export type TallyOutcome = 'approved' | 'rejected' | 'open';

/** Why the outcome is what it is; stable codes for the audit log. */
export type TallyReason =
  /** approved: enough approvals (and a majority of the votes cast, if the rule asks for one). */
  | 'thresholds_met'
  /** rejected: even if every outstanding voter approved, approvals would stay below minApprovals. */
  | 'min_approvals_unreachable'
  /** rejected: even if every outstanding voter approved, approvals would not exceed rejections. */
  | 'majority_unreachable'
  /** rejected: the voting period ended without approval. */
  | 'voting_period_ended'
  /** open: approval is still possible and the period runs. */
  | 'awaiting_votes';

export interface TallyResult {
  readonly outcome: TallyOutcome;
  readonly reason: TallyReason;
  readonly approvals: number;
  readonly rejections: number;
  /** Eligible voters who have not voted yet. */
  readonly outstanding: number;
  /** End of the voting period (exclusive): openedAt + votingPeriodDays × 24 h. */
  readonly closesAt: Date;
  /** One sentence for people, e.g. "2 of at least 2 approvals, 1 rejection". */
  readonly detail: string;
}

const DAY_MS = 86_400_000;

/**
 * Decides a motion from its votes, purely (no clock, no I/O). With A approvals, R rejections,
 * O = eligibleVoters − A − R outstanding voters and closesAt = openedAt + votingPeriodDays days,
 * the first of these that holds gives the outcome:
 *
 * 1. **approved** (`thresholds_met`) when A ≥ minApprovals and, if majorityOfVotesCast,
 *    A > R (a strict majority of the votes cast: a tie is not a majority). This holds even at
 *    or after closesAt: the caller passes only votes cast before closesAt, and those decide.
 * 2. **rejected** (`min_approvals_unreachable`) when A + O < minApprovals: the motion can no
 *    longer reach the minimum, e.g. because recusal left too few eligible voters (an
 *    electorate smaller than minApprovals rejects at once).
 * 3. **rejected** (`majority_unreachable`) when majorityOfVotesCast and A + O ≤ R.
 * 4. **rejected** (`voting_period_ended`) when now ≥ closesAt.
 * 5. otherwise **open** (`awaiting_votes`).
 *
 * Recusal does not enter the arithmetic: when `rule.recusal` is true the caller leaves
 * conflicted members out of `eligibleVoters` and out of `votes` (see `electorate`).
 *
 * Throws a RangeError for impossible input rather than guess: eligibleVoters not a
 * non-negative integer, more votes than eligible voters, a decision other than `approve` or
 * `reject`, or an invalid date.
 */
export function tally(rule: DecisionRule, votes: readonly Vote[], context: TallyContext): TallyResult {
  const { eligibleVoters, now, openedAt } = context;
  if (!Number.isInteger(eligibleVoters) || eligibleVoters < 0) {
    throw new RangeError(`eligibleVoters must be a non-negative integer, not ${eligibleVoters}`);
  }
  if (votes.length > eligibleVoters) {
    throw new RangeError(`${votes.length} votes from ${eligibleVoters} eligible voters`);
  }
  if (Number.isNaN(now.getTime()) || Number.isNaN(openedAt.getTime())) throw new RangeError('invalid date');
  let approvals = 0;
  let rejections = 0;
  for (const vote of votes) {
    if (vote.decision === 'approve') approvals++;
    else if (vote.decision === 'reject') rejections++;
    else throw new RangeError(`unknown vote decision ${JSON.stringify(vote.decision)}`);
  }
  const outstanding = eligibleVoters - approvals - rejections;
  const closesAt = new Date(openedAt.getTime() + rule.votingPeriodDays * DAY_MS);
  const detail = `${approvals} of at least ${rule.minApprovals} approval${rule.minApprovals === 1 ? '' : 's'}, ${rejections} rejection${rejections === 1 ? '' : 's'}, ${outstanding} outstanding`;
  const result = (outcome: TallyOutcome, reason: TallyReason): TallyResult => ({
    outcome,
    reason,
    approvals,
    rejections,
    outstanding,
    closesAt,
    detail,
  });

  const majority = !rule.majorityOfVotesCast || approvals > rejections;
  if (approvals >= rule.minApprovals && majority) return result('approved', 'thresholds_met');
  if (approvals + outstanding < rule.minApprovals) return result('rejected', 'min_approvals_unreachable');
  if (rule.majorityOfVotesCast && approvals + outstanding <= rejections) {
    return result('rejected', 'majority_unreachable');
  }
  if (now.getTime() >= closesAt.getTime()) return result('rejected', 'voting_period_ended');
  return result('open', 'awaiting_votes');
}

/**
 * The board members who may vote on a motion: all of `board` when the rule does not ask for
 * recusal, otherwise those not in `conflicted` (e.g. the board member who represents the
 * organisation the motion is about). Its length is tally's `eligibleVoters`.
 */
export function electorate(
  rule: DecisionRule,
  board: readonly string[],
  conflicted: readonly string[],
): string[] {
  const members = [...new Set(board)];
  if (!rule.recusal) return members;
  const excluded = new Set(conflicted);
  return members.filter((member) => !excluded.has(member));
}
