/**
 * The rulebook's data, as rulebook/rulebook.schema.json describes it. Every value the loader
 * returns is deeply frozen.
 */

/** Every kind of motion the board decides, each with its own rule. */
export const MOTION_KINDS = [
  'admit',
  'suspend',
  'reinstate',
  'revoke',
  'renew',
  'amend-rulebook',
  'add-board-member',
  'remove-board-member',
] as const;

export type MotionKind = (typeof MOTION_KINDS)[number];

/** The motions a board member opens: every kind but `admit`, which an application opens. */
export const BOARD_MOTION_KINDS = MOTION_KINDS.filter(
  (kind): kind is Exclude<MotionKind, 'admit'> => kind !== 'admit',
);

/** The side of the data market a role is on. */
export type Side = 'supply' | 'demand';

/** Whose DIDs a DID-method list governs. */
export type DidHolder = 'members' | 'board';

/** How the board decides one kind of motion. See `tally` for the exact arithmetic. */
export interface DecisionRule {
  /** At least this many approvals (≥ 1). */
  readonly minApprovals: number;
  /** When true, approvals must also outnumber rejections. */
  readonly majorityOfVotesCast: boolean;
  /** Days from the motion's opening during which votes count (≥ 1). */
  readonly votingPeriodDays: number;
  /** When true, conflicted board members neither vote nor count as eligible voters. */
  readonly recusal: boolean;
}

/** One credential an applicant must present. */
export interface EvidenceRequirement {
  readonly credentialType: string;
  /** `trust-anchors`: any trust anchor trusted for the type; otherwise exactly these issuer DIDs. */
  readonly issuers: 'trust-anchors' | readonly string[];
  /** `credentialSubject.`-prefixed dotted paths that must be present and not empty. */
  readonly requiredClaims: readonly string[];
}

export interface RoleDefinition {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly sides: readonly Side[];
  /** At least one requirement. */
  readonly evidence: readonly EvidenceRequirement[];
}

export interface MembershipTerms {
  readonly credentialValidityDays: number;
  /** Shorter than credentialValidityDays. */
  readonly renewalWindowDays: number;
}

/** Where an ID-token claim's value comes from: a path in a credential, or a derived value. */
export type ClaimSource =
  | { readonly credentialType: string; readonly path: string }
  | { readonly credentialType: string; readonly derived: 'membership-status' };

/** The rulebook document, without the editor-only `$schema`. */
export interface RulebookDocument {
  /** Semantic version (MAJOR.MINOR.PATCH, optional pre-release). */
  readonly version: string;
  readonly title?: string;
  readonly description?: string;
  readonly roles: readonly RoleDefinition[];
  readonly decisions: Readonly<Record<MotionKind, DecisionRule>>;
  readonly membership: MembershipTerms;
  /** Role id → credential types members in that role may issue. */
  readonly memberIssuance: Readonly<Record<string, readonly string[]>>;
  readonly didMethods: Readonly<Record<DidHolder, readonly string[]>>;
  /** ID-token claim name → its source. */
  readonly claimMapping: Readonly<Record<string, ClaimSource>>;
}
