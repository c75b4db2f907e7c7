/**
 * What the agreement register needs from outside, as narrow interfaces the composition root
 * (src/service.ts) implements: the member registry, signed-statement verification (the
 * governance capability's), once-only statement ids, the event outbox and the audit log. Each
 * write port takes the caller's EntityManager: it writes in that transaction, so that an
 * agreement's change, its audit entry, its event and its credentials' status commit together.
 */
import type { EntityManager } from 'typeorm';

/** A member as the agreement register sees it. */
export interface MemberEntry {
  readonly did: string;
  readonly legalName: string;
  /** `active`, `suspended`, `revoked`, `withdrawn`. */
  readonly status: string;
  readonly roles: readonly string[];
}

/** The member registry; with `manager`, read through the caller's transaction. */
export interface MemberDirectory {
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
 * Throws a problem error (400 `invalid_statement`, `invalid_signature`, ...) when it does not.
 */
export type StatementVerifier = (token: unknown) => Promise<VerifiedStatement>;

/** Spends a statement's jti once, in the caller's transaction: false when it was spent before. */
export type SpendJti = (manager: EntityManager, jti: string) => Promise<boolean>;

export type AgreementEventType =
  | 'agreement.activated'
  | 'agreement.suspended'
  | 'agreement.reinstated'
  | 'agreement.terminated'
  | 'agreement.expired';

/** One event for the two parties of an agreement: ids, DIDs, codes and times. */
export interface AgreementEvent {
  readonly type: AgreementEventType;
  /** The agreement id. */
  readonly subject: string;
  /** The provider, then the consumer. */
  readonly audience: readonly string[];
  readonly data: Readonly<Record<string, unknown>>;
}

/** The event outbox (src/events): `emit` writes the event in the caller's transaction. */
export interface AgreementEvents {
  emit(manager: EntityManager, event: AgreementEvent): Promise<void>;
  /** Writes several events in one go (a bounded number of statements), in order. */
  emitMany(manager: EntityManager, events: readonly AgreementEvent[]): Promise<void>;
}

export interface AgreementAuditEntry {
  readonly kind: string;
  /** A DID, or `service`. */
  readonly actor: string;
  readonly subject: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * The audit log: `append` writes in the caller's transaction (before events: one lock order).
 * `lockHead` takes the log's head lock first: a board decision appends its entry and then
 * changes the parties' agreements, so every transaction of the register that locks an agreement
 * and then appends takes the head first (audit head → agreement rows → event head, always).
 */
export interface AgreementAudit {
  append(entry: AgreementAuditEntry, manager: EntityManager): Promise<unknown>;
  /** Appends several entries in one go (one head lock, batched inserts), in order. */
  appendMany(entries: readonly AgreementAuditEntry[], manager: EntityManager): Promise<unknown>;
  lockHead(manager: EntityManager): Promise<void>;
}
