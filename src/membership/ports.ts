import type { EntityManager } from 'typeorm';

/** What membership needs from the adopted rulebook. */
export interface MembershipRules {
  currentVersion(): Promise<string>;
  /** The role ids the rulebook defines. */
  roles(): Promise<readonly string[]>;
  /** The sides (supply, demand) the given roles stand on, under an adopted version. */
  sidesOf(roles: readonly string[], version: string): Promise<readonly string[]>;
  /** The evidence an applicant for these roles must present. */
  evidenceFor(roles: readonly string[]): Promise<
    readonly {
      credentialType: string;
      issuers: 'trust-anchors' | readonly string[];
      requiredClaims: readonly string[];
    }[]
  >;
  allowsDidMethod(did: string, who: 'members' | 'board'): Promise<boolean>;
  credentialValidityDays(version: string): Promise<number>;
  /** Credential types members in these roles may issue and be trusted for. */
  memberIssuableTypes(roles: readonly string[]): Promise<readonly string[]>;
  /** The roles whose members may issue at least one credential type (under the current version). */
  issuingRoles(): Promise<readonly string[]>;
  /** Adopts the proposed version (checked against the hash the board voted on). */
  adoptProposal(version: string, hash: string, by: string, manager: EntityManager): Promise<void>;
}

/** How a member's status changed: by a board decision, or by its own withdrawal. */
export interface MemberStatusChange {
  readonly did: string;
  readonly change: 'suspended' | 'reinstated' | 'revoked' | 'withdrawn';
  /** The motion that decided it (none for a withdrawal). */
  readonly motion?: string;
}

/**
 * Where membership announces status changes to connectors (the events capability, wired by
 * the composition root, so membership imports no events code). Called in the transaction of
 * the change, after its audit entry: announced iff it commits.
 */
export interface MemberEvents {
  statusChanged(change: MemberStatusChange, manager: EntityManager): Promise<void>;
}

/**
 * Where membership tells the agreement register that a party's status changed (wired by the
 * composition root, so membership imports no agreements code). Called in the transaction of the
 * change, after its audit entry and event: its agreements are suspended, reinstated or
 * terminated iff the change commits.
 */
export interface MemberAgreements {
  partyStatusChanged(change: MemberStatusChange, manager: EntityManager): Promise<unknown>;
}
