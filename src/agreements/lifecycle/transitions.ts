/**
 * Every change of an agreement's state, in the caller's transaction: the row, both parties'
 * DataSharingAgreementCredentials' status bits, an audit entry, and the outbox event (appended
 * last: audit head before event head is the one lock order, src/events/outbox.ts).
 *
 * | from | to | when | credentials |
 * |---|---|---|---|
 * | proposed | active | the second party signed | issued, one per party |
 * | active | suspended | a party's membership was suspended | suspended |
 * | suspended | active | every suspended party was reinstated | reinstated |
 * | proposed, active, suspended | terminated | a party terminated it (signed), or a party's membership was revoked or withdrawn | revoked |
 * | active, suspended | expired | its end passed (the expiry job) | revoked |
 */
import type { EntityManager } from 'typeorm';
import { DATA_SPACE_CREDENTIAL_FORMAT } from '../../credentials/issue/issuer.js';
import { type AgreementDeps, sha256Hex } from '../deps.js';
import { AgreementEntity, type AgreementRow, type AgreementStatus } from '../entities.js';
import type { AgreementEventType } from '../ports.js';

const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One change to record: the agreement (as it was), the event type, who acted, what to say. */
interface Recorded {
  readonly row: AgreementRow;
  readonly type: AgreementEventType;
  readonly actor: string;
  readonly data: Record<string, unknown>;
}

/** The audit entries (in one append) and then the events (in one append) of `changes`. */
async function recordAll(deps: AgreementDeps, manager: EntityManager, changes: readonly Recorded[]) {
  if (changes.length === 0) return;
  await deps.audit.appendMany(
    changes.map(({ row, type, actor, data }) => ({
      kind: type,
      actor,
      subject: row.id,
      data: { provider: row.providerDid, consumer: row.consumerDid, hash: row.hash, ...data },
    })),
    manager,
  );
  await deps.events.emitMany(
    manager,
    changes.map(({ row, type, data }) => ({
      type,
      subject: row.id,
      audience: [row.providerDid, row.consumerDid],
      data: { agreementId: row.id, provider: row.providerDid, consumer: row.consumerDid, ...data },
    })),
  );
}

async function record(
  deps: AgreementDeps,
  manager: EntityManager,
  row: AgreementRow,
  type: AgreementEventType,
  actor: string,
  data: Record<string, unknown>,
): Promise<void> {
  await recordAll(deps, manager, [{ row, type, actor, data }]);
}

/** The subject of a party's DataSharingAgreementCredential (credential-schemas/DataSharingAgreementCredential/v1.json). */
export function credentialSubject(row: AgreementRow, party: string, activatedAt: Date) {
  return {
    id: party,
    agreementId: row.id,
    agreementHash: row.hash,
    partyRole: party === row.providerDid ? 'provider' : 'consumer',
    provider: row.providerDid,
    consumer: row.consumerDid,
    target: row.target,
    ...(row.offerId ? { offerId: row.offerId, offerVersion: row.offerVersion } : {}),
    activatedAt: isoSeconds(activatedAt),
    ...(row.endsAt ? { endsAt: isoSeconds(new Date(row.endsAt)) } : {}),
  };
}

/** Both signed: active, with a credential for each party. */
export async function activate(
  deps: AgreementDeps,
  manager: EntityManager,
  row: AgreementRow,
  signatures: { providerSignature: string; consumerSignature: string },
  now: Date,
): Promise<AgreementRow> {
  const activatedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const issue = (party: string) =>
    deps.issuer.issue(
      {
        type: 'DataSharingAgreementCredential',
        format: DATA_SPACE_CREDENTIAL_FORMAT,
        subject: credentialSubject(row, party, activatedAt),
        validFrom: activatedAt,
        ...(row.endsAt ? { validUntil: new Date(row.endsAt) } : {}),
        // By side, not DID: a did:jwk alone can outgrow the key's column.
        idempotencyKey: `agreement:${row.id}:${party === row.providerDid ? 'provider' : 'consumer'}`,
      },
      manager,
    );
  const provider = await issue(row.providerDid);
  const consumer = await issue(row.consumerDid);
  const at = now.toISOString();
  const change = {
    ...signatures,
    status: 'active' as const,
    statusAt: at,
    activatedAt: at,
    providerCredentialId: provider.id,
    consumerCredentialId: consumer.id,
    providerCredential: provider.jwt,
    consumerCredential: consumer.jwt,
  };
  await manager.getRepository(AgreementEntity).update({ id: row.id }, change);
  const active = { ...row, ...change };
  await record(deps, manager, active, 'agreement.activated', 'service', { activatedAt: at });
  return active;
}

/** Both parties' credentials of every agreement of `rows`, changed together (one set-based change). */
async function credentials(
  deps: AgreementDeps,
  manager: EntityManager,
  rows: readonly AgreementRow[],
  change: 'suspend' | 'reinstate' | 'revoke',
): Promise<void> {
  const ids = rows.flatMap((row) =>
    [row.providerCredentialId, row.consumerCredentialId].filter((id): id is string => id !== null),
  );
  if (ids.length > 0) await deps.status.changeMany(change, ids, manager);
}

/** Rows per UPDATE of the agreement table (well below the databases' bounds on parameters). */
const BATCH = 200;

function batches<T>(items: readonly T[]): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += BATCH) parts.push(items.slice(start, start + BATCH));
  return parts;
}

/**
 * Sets `column` of each row to that row's own value, and `fields` on all of them: one UPDATE
 * per batch of rows (a CASE on the id), not one per row.
 */
async function updateEach(
  manager: EntityManager,
  column: 'suspendedParties' | 'statusAt',
  rows: readonly { id: string; value: string }[],
  fields: Partial<Pick<AgreementRow, 'status' | 'statusAt' | 'endedBy' | 'endReason'>> = {},
): Promise<void> {
  for (const part of batches(rows)) {
    const parameters: Record<string, string> = {};
    const cases = part.map((row, index) => {
      parameters[`id${index}`] = row.id;
      parameters[`value${index}`] = row.value;
      return `WHEN :id${index} THEN :value${index}`;
    });
    await manager
      .createQueryBuilder()
      .update(AgreementEntity)
      .set({ ...fields, [column]: () => `CASE id ${cases.join(' ')} END` })
      .where('id IN (:...ids)', { ids: part.map((row) => row.id) })
      .setParameters(parameters)
      .execute();
  }
}

/** `suspended_parties` of each row to its own value, and `fields` on all of them (updateEach). */
function updateParties(
  manager: EntityManager,
  rows: readonly { id: string; suspendedParties: string }[],
  fields: Partial<Pick<AgreementRow, 'status' | 'statusAt'>> = {},
): Promise<void> {
  return updateEach(
    manager,
    'suspendedParties',
    rows.map((row) => ({ id: row.id, value: row.suspendedParties })),
    fields,
  );
}

/** The rows' ids, for an UPDATE of the same values on all of them. */
async function updateAll(
  manager: EntityManager,
  rows: readonly AgreementRow[],
  fields: Partial<AgreementRow>,
): Promise<void> {
  for (const part of batches(rows))
    await manager
      .createQueryBuilder()
      .update(AgreementEntity)
      .set(fields)
      .where('id IN (:...ids)', { ids: part.map((row) => row.id) })
      .execute();
}

/**
 * A party's membership was suspended: its active agreements are suspended, and the party is
 * remembered on every open one (a bounded number of statements for any number of agreements).
 */
export async function suspendAllFor(
  deps: AgreementDeps,
  manager: EntityManager,
  rows: readonly AgreementRow[],
  party: string,
  now: Date,
  motion?: string,
): Promise<void> {
  const at = now.toISOString();
  const changed = rows.map((row) => ({
    row,
    id: row.id,
    suspendedParties: JSON.stringify(
      [...new Set([...(JSON.parse(row.suspendedParties) as string[]), party])].sort(),
    ),
  }));
  const active = changed.filter(({ row }) => row.status === 'active');
  await updateParties(manager, active, { status: 'suspended', statusAt: at });
  await updateParties(
    manager,
    changed.filter(({ row }) => row.status !== 'active'),
  );
  await credentials(
    deps,
    manager,
    active.map(({ row }) => row),
    'suspend',
  );
  await recordAll(
    deps,
    manager,
    active.map(({ row }) => ({
      row,
      type: 'agreement.suspended' as const,
      actor: 'service',
      data: { party, suspendedAt: at, ...(motion ? { motion } : {}) },
    })),
  );
}

/** A party was reinstated: each of `rows` is active again once no party holds it suspended. */
export async function reinstateAllFor(
  deps: AgreementDeps,
  manager: EntityManager,
  rows: readonly AgreementRow[],
  party: string,
  now: Date,
  motion?: string,
): Promise<void> {
  const at = now.toISOString();
  const changed = rows.map((row) => {
    const parties = (JSON.parse(row.suspendedParties) as string[]).filter((did) => did !== party);
    return { row, id: row.id, suspendedParties: JSON.stringify(parties), free: parties.length === 0 };
  });
  const resumed = changed.filter(({ row, free }) => row.status === 'suspended' && free);
  await updateParties(manager, resumed, { status: 'active', statusAt: at });
  await updateParties(
    manager,
    changed.filter(({ row, free }) => !(row.status === 'suspended' && free)),
  );
  await credentials(
    deps,
    manager,
    resumed.map(({ row }) => row),
    'reinstate',
  );
  await recordAll(
    deps,
    manager,
    resumed.map(({ row }) => ({
      row,
      type: 'agreement.reinstated' as const,
      actor: 'service',
      data: { party, reinstatedAt: at, ...(motion ? { motion } : {}) },
    })),
  );
}

/**
 * Why an agreement ended, as a code: the public audit log keeps codes and hashes, never the
 * free text of a party's reason (docs/agreements.md "What the audit log shows").
 */
export type EndReasonCode = 'terminated_by_party' | 'membership_revoked' | 'membership_withdrawn' | 'expired';

/** How agreements end: terminated (by a party or a membership ending) or expired. */
export interface EndChange {
  readonly status: Extract<AgreementStatus, 'terminated' | 'expired'>;
  readonly at: Date;
  readonly by: string;
  /** Kept on the agreement, shown to its parties only. */
  readonly reason: string;
  readonly reasonCode: EndReasonCode;
  /** The board's motion that ended the membership, if one did. */
  readonly motion?: string;
}

/** Ends agreements for good, all with the same change (set-based, as the suspension). */
export function endAll(
  deps: AgreementDeps,
  manager: EntityManager,
  rows: readonly AgreementRow[],
  change: EndChange,
): Promise<void> {
  return endEach(
    deps,
    manager,
    rows.map((row) => ({ row, at: change.at })),
    change,
  );
}

/** Ends one agreement for good (endAll of one). */
export function end(
  deps: AgreementDeps,
  manager: EntityManager,
  row: AgreementRow,
  change: EndChange,
): Promise<void> {
  return endAll(deps, manager, [row], change);
}

/**
 * Ends due agreements as `expired`, each at its own `endsAt` (the expiry job): the same
 * set-based change as endAll, with the instant per row.
 */
export function expireAll(
  deps: AgreementDeps,
  manager: EntityManager,
  rows: readonly AgreementRow[],
): Promise<void> {
  return endEach(
    deps,
    manager,
    rows.map((row) => ({ row, at: new Date(row.endsAt as string) })),
    { status: 'expired', by: 'service', reason: 'its end passed', reasonCode: 'expired' },
  );
}

/** An agreement to end and the instant it ends at. */
interface Ending {
  readonly row: AgreementRow;
  readonly at: Date;
}

/**
 * Ends agreements for good in a bounded number of statements: the rows (one UPDATE per batch;
 * a CASE on the id when their instants differ), both credentials of each (one set-based
 * change), an audit entry each (one append) and an event each (one append).
 */
async function endEach(
  deps: AgreementDeps,
  manager: EntityManager,
  endings: readonly Ending[],
  change: Omit<EndChange, 'at'>,
): Promise<void> {
  if (endings.length === 0) return;
  const rows = endings.map(({ row }) => row);
  const instants = endings.map(({ row, at }) => ({ id: row.id, value: at.toISOString() }));
  const fields = { status: change.status, endedBy: change.by, endReason: change.reason };
  const first = instants[0]?.value as string;
  if (instants.every(({ value }) => value === first))
    await updateAll(manager, rows, { ...fields, statusAt: first });
  else await updateEach(manager, 'statusAt', instants, fields);
  await credentials(deps, manager, rows, 'revoke');
  const why = {
    reasonCode: change.reasonCode,
    ...(change.reasonCode === 'terminated_by_party' ? { reasonHash: sha256Hex(change.reason) } : {}),
    ...(change.motion ? { motion: change.motion } : {}),
  };
  await recordAll(
    deps,
    manager,
    endings.map(({ row, at }) => ({
      row,
      type: change.status === 'expired' ? ('agreement.expired' as const) : ('agreement.terminated' as const),
      actor: change.by,
      data:
        change.status === 'expired'
          ? { expiredAt: at.toISOString(), ...why }
          : { terminatedAt: at.toISOString(), terminatedBy: change.by, ...why, previousStatus: row.status },
    })),
  );
}
