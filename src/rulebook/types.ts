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

/**
 * Text in several languages: BCP 47 language tag → text. English (`en`) is always present and
 * is what a reader gets when their language is missing.
 */
export type LocalisedText = Readonly<Record<string, string>>;

/** One term of the consent vocabulary: a W3C DPV 2.x term (compact IRI) with plain-language labels. */
export interface ConsentTerm {
  /** `dpv:ServiceProvision`, `pd:Location`, ... (prefixes: see CONSENT_TERM_PREFIXES). */
  readonly id: string;
  /** What a citizen reads, e.g. "Where you are". */
  readonly label: LocalisedText;
  /** One or two sentences more, when the label needs them. */
  readonly description?: LocalisedText;
}

/** A personal-data category; special categories (GDPR Art. 9) need explicitly expressed consent. */
export interface DataCategoryTerm extends ConsentTerm {
  readonly specialCategory?: boolean;
}

/** Which credential a natural person logs in with (to give, see and withdraw consent). */
export interface NaturalPersonLogin {
  /** The credential type, e.g. PersonIdentificationCredential. */
  readonly credentialType: string;
  /** `trust-anchors`: any trust anchor trusted for the type; otherwise exactly these issuer DIDs. */
  readonly issuers: 'trust-anchors' | readonly string[];
  /** `credentialSubject.`-prefixed paths that must be present (the DCQL query asks for them). */
  readonly requiredClaims: readonly string[];
  /**
   * The claim holding the person's stable identifier at its issuer (e.g. a personal
   * administrative number). With it, the citizen is the same person whichever wallet (DID) they
   * use; without it, the citizen is the wallet's DID. One of `requiredClaims`.
   */
  readonly identifierClaim?: string;
}

/**
 * The rulebook's terms for citizens' consent: the vocabulary notices may use, who may publish
 * them, how long consent and its records may last, and how natural persons log in.
 */
export interface ConsentTerms {
  /** Roles whose active members may publish notices. */
  readonly noticePublishers: readonly string[];
  /** The longest retention period a notice may state (a consent expires after it), in days. */
  readonly maxRetentionDays: number;
  /**
   * How long the record of a consent is kept after it ended (withdrawn, expired, replaced), so
   * that the controller can demonstrate consent for what it did before (GDPR Art. 7(1)); then
   * it is deleted.
   */
  readonly recordRetentionDays: number;
  readonly legalBases: readonly ConsentTerm[];
  readonly purposes: readonly ConsentTerm[];
  readonly dataCategories: readonly DataCategoryTerm[];
  readonly naturalPersons: NaturalPersonLogin;
}

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
  /** Citizens' consent (since 1.1.0); a rulebook without it lets no notice be published. */
  readonly consent?: ConsentTerms;
}
