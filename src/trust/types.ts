/** Where a trusted-issuer entry comes from. */
export type IssuerSource = 'anchor' | 'service' | 'member';

/**
 * A constraint on one claim of the credential subject: the value at `path` must be one of
 * `allowedValues` (compared exactly: no case folding). See trust-anchors/README.md.
 */
export interface ClaimConstraint {
  /** `credentialSubject.` followed by a dotted property path, e.g. `credentialSubject.country`. */
  readonly path: string;
  /** Allowed JSON scalars. */
  readonly allowedValues: readonly (string | number | boolean)[];
  /** The credential types the constraint applies to; absent means every type of the entry. */
  readonly credentialTypes?: readonly string[];
}

/** The time window in which an entry is trusted: `from` inclusive, `until` exclusive. */
export interface Validity {
  readonly from?: Date;
  readonly until?: Date;
}

/** One trusted issuer of the data space: which DID may issue which credential types. */
export interface TrustedIssuer {
  /**
   * The issuer's identifier, exactly as credentials carry it: a DID, or, for a trust anchor of
   * an SD-JWT VC issuer named by an https URL (https-issuer.ts), that URL. Only anchors have
   * https identifiers (the service and members are DIDs); isHttpsIssuerId tells them apart.
   */
  readonly did: string;
  readonly name: string;
  /** Specific credential types (never the base `VerifiableCredential`). */
  readonly credentialTypes: readonly string[];
  readonly claims: readonly ClaimConstraint[];
  readonly validity: Validity;
  readonly source: IssuerSource;
  readonly description?: string;
  readonly homepage?: string;
}

/** A trusted issuer read from a file of the trust-anchors directory. */
export interface TrustAnchor extends TrustedIssuer {
  readonly source: 'anchor';
  /** The file it was read from. */
  readonly file: string;
}

/** What the membership capability hands the registry for each admitted member. */
export type MemberIssuer = Omit<TrustedIssuer, 'source' | 'claims' | 'validity'> & {
  readonly claims?: readonly ClaimConstraint[];
  readonly validity?: Validity;
};

/**
 * Where the registry finds admitted members, by key and by page: it never lists them all.
 * Members are ordered by DID; `exclude` names DIDs that are never members here (the service and
 * the trust anchors, whose entries win). Every method rejects when the store fails.
 */
export interface MemberIssuerSource {
  /** The member with exactly this DID, if it is one that may issue something now. */
  get(did: string): Promise<MemberIssuer | undefined>;
  /** Members after `after` (exclusive) or from `offset`, in DID order, at most `limit`. */
  page(request: {
    readonly exclude: readonly string[];
    readonly after?: string;
    readonly offset?: number;
    readonly limit: number;
  }): Promise<readonly MemberIssuer[]>;
  /** How many members `page` can list. */
  count(request: { readonly exclude: readonly string[] }): Promise<number>;
}
