/**
 * Signing and terminating (issue 13 items 2–3): each party signs the agreement's hash with its
 * DID, `{ iss, aud, iat, jti, action: "sign-agreement", agreement, hash }`, verified as
 * governance statements are. The agreement becomes active only when BOTH parties have signed
 * (and both are active members then); one signature leaves it proposed. A party terminates it
 * with `{ ..., action: "terminate-agreement", agreement, hash, reason }`. A statement's jti is
 * spent once: a replayed statement is refused, and so is anything that does not match.
 */
import type { EntityManager } from 'typeorm';
import { inTransaction, isPostgres } from '../../db/index.js';
import { type AgreementDeps, requireActive } from '../deps.js';
import { AgreementEntity, type AgreementRow } from '../entities.js';
import { AgreementError } from '../errors.js';
import type { VerifiedStatement } from '../ports.js';
import { SIGN_AGREEMENT_ACTION, TERMINATE_AGREEMENT_ACTION } from './terms.js';
import { activate, end } from './transitions.js';
import { type AgreementView, agreementView, sideOf } from './views.js';

const MAX_REASON = 2000;

export async function lockedAgreement(
  deps: AgreementDeps,
  manager: EntityManager,
  id: string,
): Promise<AgreementRow | undefined> {
  const query = manager.getRepository(AgreementEntity).createQueryBuilder('a').where('a.id = :id', { id });
  if (isPostgres(deps.dataSource)) query.setLock('pessimistic_write');
  return (await query.getOne()) ?? undefined;
}

async function statementFor(
  deps: AgreementDeps,
  token: unknown,
  action: string,
  agreementId: string,
  poster: string | undefined,
): Promise<VerifiedStatement> {
  const statement = await deps.verifyStatement(token);
  // Posted by a connector: only its own member's statement (a bearer token is no licence to relay).
  if (poster !== undefined && statement.signer !== poster) {
    throw new AgreementError('not_a_party', 'a connector posts only statements signed by its own member');
  }
  if (statement.payload.action !== action) {
    throw new AgreementError('statement_mismatch', `the statement's action must be "${action}"`);
  }
  if (statement.payload.agreement !== agreementId) {
    throw new AgreementError('statement_mismatch', `the statement must name agreement ${agreementId}`);
  }
  if (typeof statement.payload.hash !== 'string') {
    throw new AgreementError('statement_mismatch', 'the statement must carry the agreement hash it signs');
  }
  return statement;
}

/** The agreement locked for this change, the signer a party, the hash the stored one, the jti unspent. */
async function checked(
  deps: AgreementDeps,
  manager: EntityManager,
  agreementId: string,
  statement: VerifiedStatement,
): Promise<{ row: AgreementRow; side: 'provider' | 'consumer' }> {
  // The audit head before the agreement row: the order of a board decision (ports.ts AgreementAudit).
  await deps.audit.lockHead(manager);
  const row = await lockedAgreement(deps, manager, agreementId);
  if (!row) throw new AgreementError('agreement_not_found', `no agreement ${agreementId}`);
  const side = sideOf(row, statement.signer);
  if (!side)
    throw new AgreementError('not_a_party', 'only the provider and the consumer sign or terminate it');
  if (statement.payload.hash !== row.hash) {
    throw new AgreementError('hash_mismatch', 'the statement signs another hash than this agreement’s', {
      hash: row.hash,
    });
  }
  if (!(await deps.spendJti(manager, statement.jti))) {
    throw new AgreementError('jti_reused', 'this statement (jti) was used before');
  }
  return { row, side };
}

/** Adds a party's signature; the second one activates the agreement. */
export async function signAgreement(
  deps: AgreementDeps,
  agreementId: string,
  token: unknown,
  poster?: string,
): Promise<AgreementView> {
  const statement = await statementFor(deps, token, SIGN_AGREEMENT_ACTION, agreementId, poster);
  return inTransaction(deps.dataSource, undefined, async (manager) => {
    const { row, side } = await checked(deps, manager, agreementId, statement);
    if (row.status !== 'proposed') {
      throw new AgreementError('not_proposed', `the agreement is ${row.status}: it takes no more signatures`);
    }
    if ((side === 'provider' ? row.providerSignature : row.consumerSignature) !== null) {
      throw new AgreementError('already_signed', `the ${side} has signed this agreement`);
    }
    requireActive(await deps.members.member(statement.signer, manager), statement.signer);
    const signatures = {
      providerSignature: side === 'provider' ? (token as string) : row.providerSignature,
      consumerSignature: side === 'consumer' ? (token as string) : row.consumerSignature,
    };
    await manager.getRepository(AgreementEntity).update({ id: row.id }, signatures);
    await deps.audit.append(
      {
        kind: 'agreement.signed',
        actor: statement.signer,
        subject: row.id,
        data: { side, hash: row.hash, jti: statement.jti },
      },
      manager,
    );
    const { providerSignature, consumerSignature } = signatures;
    if (providerSignature === null || consumerSignature === null)
      return agreementView({ ...row, ...signatures });
    const other = side === 'provider' ? row.consumerDid : row.providerDid;
    requireActive(await deps.members.member(other, manager), other);
    const now = deps.now();
    if (row.endsAt && Date.parse(row.endsAt) <= now.getTime()) {
      throw new AgreementError(
        'invalid_period',
        `the agreement ended at ${row.endsAt} before both parties signed it`,
      );
    }
    return agreementView(await activate(deps, manager, row, { providerSignature, consumerSignature }, now));
  });
}

/** A party ends the agreement, with a reason: terminated at once, credentials revoked. */
export async function terminateAgreement(
  deps: AgreementDeps,
  agreementId: string,
  token: unknown,
  poster?: string,
): Promise<AgreementView> {
  const statement = await statementFor(deps, token, TERMINATE_AGREEMENT_ACTION, agreementId, poster);
  const reason = statement.payload.reason;
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > MAX_REASON) {
    throw new AgreementError(
      'invalid_request',
      `a termination gives its reason (1 to ${MAX_REASON} characters)`,
    );
  }
  return inTransaction(deps.dataSource, undefined, async (manager) => {
    const { row } = await checked(deps, manager, agreementId, statement);
    const now = deps.now();
    if (row.status === 'terminated' || row.status === 'expired') {
      throw new AgreementError('already_ended', `the agreement is ${row.status} since ${row.statusAt}`);
    }
    if (row.endsAt && Date.parse(row.endsAt) <= now.getTime() && row.status !== 'proposed') {
      throw new AgreementError('already_ended', `the agreement expired at ${row.endsAt}`);
    }
    await end(deps, manager, row, {
      status: 'terminated',
      at: now,
      by: statement.signer,
      reason,
      reasonCode: 'terminated_by_party',
    });
    const ended = await manager.getRepository(AgreementEntity).findOneByOrFail({ id: row.id });
    return agreementView(ended);
  });
}
