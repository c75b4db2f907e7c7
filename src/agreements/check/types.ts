/**
 * The connector check (issue 13 item 4): "may we make this exchange under our agreement, now?"
 * An agreement goes through an ordered list of small named checks (checks/*.ts), as credentials
 * go through src/credentials/verify/checks; the last one is the ODRL evaluation of the
 * agreement's policy. The answer lists every check with its outcome and code.
 */
import type { Duty, OdrlPolicy, PolicyDecision, RuleReport } from '../policy/index.js';

/** Why an exchange is not permitted, before the policy is evaluated (then: ./reasons.ts). */
export type AgreementReasonCode =
  | 'no_agreement'
  | 'provider_mismatch'
  | 'consumer_mismatch'
  | 'target_mismatch'
  | 'not_active'
  | 'before_activation'
  | 'expired'
  | 'party_not_active';

export type AgreementCheckName = 'exists' | 'parties' | 'active' | 'expiry' | 'membership' | 'policy';

/** The question a party's connector asks. */
export interface AgreementQuestion {
  /** The agreement asked about; or else the agreements of `provider` and `consumer` over `target`. */
  readonly agreement?: string;
  readonly provider?: string;
  /** Default: the asking member. */
  readonly consumer?: string;
  readonly target?: string;
  /** An ODRL action (`use`, `read`, `distribute`, ...). */
  readonly action: string;
  /** A DPV purpose of the rulebook, compact (`dpv:ServiceOptimisation`; the full IRI is read as it). */
  readonly purpose?: string;
  /** A place code (NUTS, LAU, ISO 3166), upper-cased. */
  readonly spatial?: string;
  /** The member the data goes to (a DID). */
  readonly recipient?: string;
  /** When the exchange happens (default: now); not with `record`. */
  readonly at?: Date;
  /** Count this exchange as one use when permitted (for `count` constraints), atomically. */
  readonly record: boolean;
}

/** An agreement as the check reads it. */
export interface CheckedAgreement {
  readonly id: string;
  readonly provider: string;
  readonly consumer: string;
  readonly target: string;
  readonly status: 'proposed' | 'active' | 'suspended' | 'terminated' | 'expired';
  readonly endsAt: string | null;
  readonly activatedAt: string | null;
  readonly uses: number;
  readonly policy: OdrlPolicy;
}

/** What each check may consult besides the agreement. */
export interface CheckContext {
  readonly question: AgreementQuestion;
  readonly caller: string;
  readonly now: Date;
  /** The registry status of a member (read afresh for this check), undefined for a non-member. */
  readonly memberStatus: (did: string) => string | undefined;
  /** The rulebook roles of an active member; undefined for any other DID (EvaluationContext.roleOf). */
  readonly roleOf: (did: string) => readonly string[] | undefined;
}

export interface AgreementCheckResult {
  readonly check: AgreementCheckName;
  readonly result: 'passed' | 'failed';
  readonly code?: string;
  /** Every reason of a failed `policy` check, `code` first (`constraint_failed:purpose`, ...). */
  readonly reasons?: readonly string[];
  /** The evaluator's own code of a failed `policy` check (docs/agreements-policy.md). */
  readonly decision?: string;
  /** The policy evaluation's rule results (the `policy` check only). */
  readonly rules?: readonly RuleReport[];
  /** The duties of the applicable permissions (the `policy` check, when permitted). */
  readonly duties?: readonly Duty[];
}

export type AgreementCheck = (agreement: CheckedAgreement, context: CheckContext) => AgreementCheckResult;

export const passed = (check: AgreementCheckName): AgreementCheckResult => ({ check, result: 'passed' });
export const failed = (check: AgreementCheckName, code: string): AgreementCheckResult => ({
  check,
  result: 'failed',
  code,
});

export type { PolicyDecision };
