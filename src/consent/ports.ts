/**
 * What the consent register needs from outside, as narrow interfaces the composition root
 * (src/service.ts) implements: the member registry, signed-statement verification (the
 * governance capability's), the event outbox, and the audit log. Each write port takes the
 * caller's EntityManager: it must write in that transaction, so that a consent and its audit
 * entry, its event and its receipt status commit or roll back together.
 */
import type { EntityManager } from 'typeorm';

/** A member as the consent register sees it. */
export interface MemberEntry {
  readonly did: string;
  readonly legalName: string;
  /** `active`, `suspended`, `revoked`, `withdrawn`. */
  readonly status: string;
  readonly roles: readonly string[];
}

/** The member registry (membership's), read afresh on every call: a suspension counts at once. */
export interface MemberDirectory {
  /**
   * The registry entry of `did`, whatever its status, or undefined when it was never a member.
   * With `manager` (a transaction of the caller's) the read goes through it: on SQLite nothing
   * else may use the database while a transaction is open (src/db/transactions.ts).
   */
  member(did: string, manager?: EntityManager): Promise<MemberEntry | undefined>;
}

/** A signed statement the verifier accepted: signed by `signer`'s DID, for this service, fresh. */
export interface VerifiedStatement {
  readonly signer: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly jti: string;
}

/**
 * Verifies a compact JWS signed by its issuer's DID key (`iss`, `aud` = the service DID, `iat`
 * within minutes, a `jti`), as governance statements are (src/governance/signed-statement.ts).
 * Throws a problem error (400 `invalid_statement`, `invalid_signature`, `foreign_audience`,
 * `stale_statement`, `missing_jti`, ...) when it does not verify.
 */
export type StatementVerifier = (token: unknown) => Promise<VerifiedStatement>;

export type ConsentEventType = 'consent.given' | 'consent.withdrawn' | 'consent.expired';

/**
 * One event for the connectors of the members it concerns (the controller and the notice's
 * recipients). `data` holds ids, DPV terms and the controller's pseudonym for the citizen: never
 * a wallet DID or other attribute of the citizen.
 */
export interface ConsentEvent {
  readonly type: ConsentEventType;
  /** The consent id. */
  readonly subject: string;
  /** Member DIDs to deliver to: the controller first, then the recipients. */
  readonly audience: readonly string[];
  readonly data: Readonly<Record<string, unknown>>;
}

/** The event outbox (src/events): `emit` writes the event in the caller's transaction. */
export interface ConsentEvents {
  emit(manager: EntityManager, event: ConsentEvent): Promise<void>;
}

/** An entry of the public, hash-chained audit log: ids and hashes only. */
export interface ConsentAuditEntry {
  readonly kind: string;
  /** A DID, or `service` (consent records: the citizen has no public identity here). */
  readonly actor: string;
  readonly subject: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The audit log: `append` writes in the caller's transaction (call it last: it locks the log's head). */
export interface ConsentAudit {
  append(entry: ConsentAuditEntry, manager: EntityManager): Promise<unknown>;
}
