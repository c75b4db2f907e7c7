/**
 * Recorded checks under an `Idempotency-Key` (docs/agreements.md "Retrying a recorded check"):
 * the permitted answer that counted a use is kept for CHECK_KEY_TTL_MS under SHA-256 of
 * `caller ‖ key`, with the hash of the question. The same key with the same question answers
 * the kept answer and counts nothing; with another question it is refused
 * (`idempotency_conflict`). A refused check is not kept: it counted nothing, so asking again
 * simply asks again.
 */
import type { EntityManager } from 'typeorm';
import { canonicalJson } from '../../json/canonical.js';
import { sha256Hex } from '../deps.js';
import { CheckKeyEntity } from '../entities.js';
import { AgreementError } from '../errors.js';
import type { AgreementAnswer } from './check.js';
import type { AgreementQuestion } from './types.js';

/** How long a recorded check's answer is kept for retries: one day. */
export const CHECK_KEY_TTL_MS = 86_400_000;

/** Where a recorded check under a key is kept. */
export interface CheckKey {
  readonly keyHash: string;
  readonly requestHash: string;
}

/** The key of `caller`'s recorded check, or `invalid_request` for a malformed key or one without `record`. */
export function checkKeyOf(caller: string, question: AgreementQuestion, key: string): CheckKey {
  if (key.length < 1 || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new AgreementError('invalid_request', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
  }
  if (!question.record) {
    throw new AgreementError(
      'invalid_request',
      'an Idempotency-Key makes a recorded check (record: true) safe to retry; a check that records nothing needs none',
    );
  }
  const { at: _at, ...asked } = question;
  return {
    keyHash: sha256Hex(`${caller}\n${key}`),
    requestHash: sha256Hex(canonicalJson(asked)),
  };
}

/** The answer kept under `key`, if any (`idempotency_conflict` if it answered another question). */
export async function keptAnswer(
  manager: EntityManager,
  key: CheckKey,
): Promise<AgreementAnswer | undefined> {
  const row = await manager.getRepository(CheckKeyEntity).findOneBy({ keyHash: key.keyHash });
  if (!row) return undefined;
  if (row.requestHash !== key.requestHash) {
    throw new AgreementError('idempotency_conflict', 'this Idempotency-Key was used for a different check');
  }
  return { ...(JSON.parse(row.answer) as AgreementAnswer), replayed: true };
}

/** Keeps the answer of a recorded check under `key`, in the transaction that counted the use. */
export async function keepAnswer(
  manager: EntityManager,
  key: CheckKey,
  agreementId: string,
  answer: AgreementAnswer,
  now: Date,
): Promise<void> {
  await manager.getRepository(CheckKeyEntity).insert({
    keyHash: key.keyHash,
    agreementId,
    requestHash: key.requestHash,
    answer: JSON.stringify(answer),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + CHECK_KEY_TTL_MS).toISOString(),
  });
}
