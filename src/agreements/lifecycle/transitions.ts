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
import type { AgreementDeps } from '../deps.js';
import { AgreementEntity, type AgreementRow, type AgreementStatus } from '../entities.js';
import type { AgreementEventType } from '../ports.js';

const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

async function record(
  deps: AgreementDeps,
  manager: EntityManager,
  row: AgreementRow,
  type: AgreementEventType,
  actor: string,
  data: Record<string, unknown>,
): Promise<void> {
  await deps.audit.append(
    {
      kind: type,
      actor,
      subject: row.id,
      data: { provider: row.providerDid, consumer: row.consumerDid, hash: row.hash, ...data },
    },
    manager,
  );
  await deps.events.emit(manager, {
    type,
    subject: row.id,
    audience: [row.providerDid, row.consumerDid],
    data: { agreementId: row.id, provider: row.providerDid, consumer: row.consumerDid, ...data },
  });
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

async function credentials(
  deps: AgreementDeps,
  manager: EntityManager,
  row: AgreementRow,
  change: 'suspend' | 'reinstate' | 'revoke',
): Promise<void> {
  for (const id of [row.providerCredentialId, row.consumerCredentialId]) {
    if (id) await deps.status[change](id, manager);
  }
}

/** A party's membership was suspended: an active agreement is suspended; the party is remembered. */
export async function suspendFor(
  deps: AgreementDeps,
  manager: EntityManager,
  row: AgreementRow,
  party: string,
  now: Date,
  motion?: string,
): Promise<void> {
  const parties = new Set(JSON.parse(row.suspendedParties) as string[]);
  parties.add(party);
  const at = now.toISOString();
  const suspendedParties = JSON.stringify([...parties].sort());
  if (row.status !== 'active') {
    await manager.getRepository(AgreementEntity).update({ id: row.id }, { suspendedParties });
    return;
  }
  await manager
    .getRepository(AgreementEntity)
    .update({ id: row.id }, { status: 'suspended', statusAt: at, suspendedParties });
  await credentials(deps, manager, row, 'suspend');
  await record(deps, manager, row, 'agreement.suspended', 'service', {
    party,
    suspendedAt: at,
    ...(motion ? { motion } : {}),
  });
}

/** A party was reinstated: active again once no party is suspended. */
export async function reinstateFor(
  deps: AgreementDeps,
  manager: EntityManager,
  row: AgreementRow,
  party: string,
  now: Date,
  motion?: string,
): Promise<void> {
  const parties = (JSON.parse(row.suspendedParties) as string[]).filter((did) => did !== party);
  const suspendedParties = JSON.stringify(parties);
  const at = now.toISOString();
  if (row.status !== 'suspended' || parties.length > 0) {
    await manager.getRepository(AgreementEntity).update({ id: row.id }, { suspendedParties });
    return;
  }
  await manager
    .getRepository(AgreementEntity)
    .update({ id: row.id }, { status: 'active', statusAt: at, suspendedParties });
  await credentials(deps, manager, row, 'reinstate');
  await record(deps, manager, row, 'agreement.reinstated', 'service', {
    party,
    reinstatedAt: at,
    ...(motion ? { motion } : {}),
  });
}

/** Ends an agreement for good: terminated (by a party or a membership ending) or expired. */
export async function end(
  deps: AgreementDeps,
  manager: EntityManager,
  row: AgreementRow,
  change: {
    status: Extract<AgreementStatus, 'terminated' | 'expired'>;
    at: Date;
    by: string;
    reason: string;
  },
): Promise<void> {
  const at = change.at.toISOString();
  await manager
    .getRepository(AgreementEntity)
    .update(
      { id: row.id },
      { status: change.status, statusAt: at, endedBy: change.by, endReason: change.reason },
    );
  await credentials(deps, manager, row, 'revoke');
  await record(
    deps,
    manager,
    row,
    change.status === 'expired' ? 'agreement.expired' : 'agreement.terminated',
    change.by,
    change.status === 'expired'
      ? { expiredAt: at }
      : { terminatedAt: at, terminatedBy: change.by, reason: change.reason, previousStatus: row.status },
  );
}
