import { isDid } from '../trust/index.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import { ConsentVocabulary } from './consent-vocabulary.js';
import { InvalidRolesError } from './errors.js';
import type {
  ClaimSource,
  DecisionRule,
  DidHolder,
  EvidenceRequirement,
  MembershipTerms,
  MotionKind,
  RoleDefinition,
  RulebookDocument,
  Side,
} from './types.js';

const SIDES: readonly Side[] = ['supply', 'demand'];

/**
 * One version of the rulebook, validated, with the questions the rest of the service asks of
 * it. Obtain one from `loadRulebook` (a file), `parseRulebook` (a proposed amendment) or the
 * RulebookStore (an adopted version); the constructor trusts that the document is valid and
 * deeply frozen.
 */
export class Rulebook {
  readonly version: string;
  /** The canonical JSON of the document (sorted keys, no whitespace): what is stored and hashed. */
  readonly canonical: string;
  /** Lower-case hex SHA-256 of `canonical`. */
  readonly hash: string;
  /** The consent vocabulary and terms; undefined for a rulebook without a `consent` section (before 1.1.0). */
  readonly consent: ConsentVocabulary | undefined;
  readonly #roles: ReadonlyMap<string, RoleDefinition>;

  constructor(
    /** The rulebook's content, deeply frozen. */
    readonly document: RulebookDocument,
    /** Where it was read from: a file path, or `rulebook_version <version>` for the database. */
    readonly source: string,
  ) {
    this.version = document.version;
    this.canonical = canonicalJson(document);
    this.hash = sha256Hex(this.canonical);
    this.#roles = new Map(document.roles.map((role) => [role.id, role]));
    this.consent = document.consent ? new ConsentVocabulary(document.consent) : undefined;
    Object.freeze(this);
  }

  /** Every role, in rulebook order. */
  get roles(): readonly RoleDefinition[] {
    return this.document.roles;
  }

  get membership(): MembershipTerms {
    return this.document.membership;
  }

  /** ID-token claim name → where its value comes from. */
  get claimMapping(): Readonly<Record<string, ClaimSource>> {
    return this.document.claimMapping;
  }

  /** The decision rule of a motion kind; every kind has one. Throws a RangeError for an unknown kind. */
  rule(kind: MotionKind): DecisionRule {
    const rule = Object.hasOwn(this.document.decisions, kind) ? this.document.decisions[kind] : undefined;
    if (!rule) throw new RangeError(`${JSON.stringify(kind)} is not a motion kind of the rulebook`);
    return rule;
  }

  /** The role with this id, if the rulebook defines one. */
  role(id: string): RoleDefinition | undefined {
    return this.#roles.get(id);
  }

  /**
   * Everything an applicant for all of `roles` must present: the evidence of each role, with
   * requirements for the same credential type from the same issuers merged into one (the
   * union of their required claims). Requirements with different issuers stay separate: each
   * must be met. Throws InvalidRolesError when `roles` is empty or names a role the rulebook
   * does not define, so that a bad role list can never mean "no evidence needed".
   */
  evidenceFor(roles: readonly string[]): EvidenceRequirement[] {
    const merged = new Map<
      string,
      { credentialType: string; issuers: EvidenceRequirement['issuers']; claims: Set<string> }
    >();
    for (const role of this.#known(roles)) {
      for (const requirement of role.evidence) {
        const key = `${requirement.credentialType}\n${issuersKey(requirement.issuers)}`;
        const entry = merged.get(key) ?? {
          credentialType: requirement.credentialType,
          issuers: requirement.issuers,
          claims: new Set<string>(),
        };
        for (const claim of requirement.requiredClaims) entry.claims.add(claim);
        merged.set(key, entry);
      }
    }
    return [...merged.values()].map((entry) =>
      Object.freeze({
        credentialType: entry.credentialType,
        issuers: entry.issuers,
        requiredClaims: Object.freeze([...entry.claims]),
      }),
    );
  }

  /** The sides (`supply`, `demand`, in that order) of all of `roles`. Throws InvalidRolesError like evidenceFor. */
  sidesFor(roles: readonly string[]): Side[] {
    const sides = new Set(this.#known(roles).flatMap((role) => role.sides));
    return SIDES.filter((side) => sides.has(side));
  }

  /**
   * Whether `did` is a syntactically valid DID (DID Core §3.1) whose method the rulebook
   * allows for `holder`. Never throws: anything that is not a DID is not allowed.
   */
  allowsDidMethod(did: string, holder: DidHolder): boolean {
    if (!isDid(did)) return false;
    const method = did.slice(0, did.indexOf(':', 4));
    return this.document.didMethods[holder].includes(method);
  }

  /**
   * The credential types a member holding `roles` may issue and be trusted for: the union of
   * each role's `memberIssuance`, sorted. Roles the rulebook does not define (say, removed by
   * an amendment) add nothing.
   */
  memberIssuableTypes(roles: readonly string[]): string[] {
    const types = new Set<string>();
    for (const role of roles) {
      if (!this.#roles.has(role) || !Object.hasOwn(this.document.memberIssuance, role)) continue;
      for (const type of this.document.memberIssuance[role] ?? []) types.add(type);
    }
    return [...types].sort();
  }

  #known(roles: readonly string[]): RoleDefinition[] {
    if (roles.length === 0) throw new InvalidRolesError('name at least one role', []);
    const unknown = roles.filter((id) => !this.#roles.has(id));
    if (unknown.length > 0) {
      throw new InvalidRolesError(
        `the rulebook ${this.version} defines no role ${unknown.map((id) => JSON.stringify(id)).join(', ')}`,
        unknown,
      );
    }
    return [...new Set(roles)].map((id) => this.#roles.get(id) as RoleDefinition);
  }
}

function issuersKey(issuers: EvidenceRequirement['issuers']): string {
  return typeof issuers === 'string' ? issuers : JSON.stringify([...issuers].sort());
}
