/**
 * The check, assembled: find the agreement (by id, or the agreements of provider and consumer
 * over a target: one indexed query, never a cache), refuse a caller that is no party (403
 * `not_a_party`), run every named check, and answer permitted when one agreement passes them
 * all. With `record: true` a permitted answer counts one use, atomically: the agreement row is
 * locked (PostgreSQL `FOR UPDATE`; SQLite's write lock), the checks run again on the locked row,
 * and the counter is incremented in that transaction, so racing checks on any number of
 * replicas never permit more uses than a `count` constraint allows.
 */
import type { EntityManager } from 'typeorm';
import {
  BatchedRead,
  type BatchedReadStatement,
  inTransaction,
  isPostgres,
  isUniqueViolation,
  type PreparedRead,
  preparedRead,
  reading,
} from '../../db/index.js';
import { isDid } from '../../trust/index.js';
import type { AgreementDeps } from '../deps.js';
import { AgreementEntity, type AgreementRow } from '../entities.js';
import { AgreementError } from '../errors.js';
import { compactPurpose, type Duty, parseInstant, placeCode } from '../policy/index.js';
import { profileOf, storedPolicy } from '../policy-use.js';
import { type CheckKey, checkKeyOf, keepAnswer, keptAnswer } from './check-keys.js';
import { checkActive } from './checks/active.js';
import { checkExpiry } from './checks/expiry.js';
import { checkMembership } from './checks/membership.js';
import { checkParties } from './checks/parties.js';
import { checkPolicy } from './checks/policy.js';
import type {
  AgreementCheck,
  AgreementCheckResult,
  AgreementQuestion,
  CheckContext,
  CheckedAgreement,
} from './types.js';

/**
 * How old the rulebook the question's purpose is validated against may be (RulebookStore.recent):
 * a purpose a new rulebook adds is refused for at most this long after its adoption elsewhere.
 */
export const RULEBOOK_MAX_AGE_MS = 1_000;

/** Every check after `exists`, in the order it runs. */
export const AGREEMENT_CHECKS: readonly AgreementCheck[] = [
  checkParties,
  checkActive,
  checkExpiry,
  checkMembership,
  checkPolicy,
];

/** The checks of the agreement's state, without its policy: what a replayed answer runs again. */
const STATE_CHECKS: readonly AgreementCheck[] = AGREEMENT_CHECKS.filter((check) => check !== checkPolicy);

/** The answer: permitted under which agreement, with the duties to perform; or why not. */
export interface AgreementAnswer {
  readonly permitted: boolean;
  /** The first failing check's code (when not permitted). */
  readonly code?: string;
  readonly agreementId?: string;
  /** Every check of the agreement answered about, in order. */
  readonly checks: readonly AgreementCheckResult[];
  /** The codes of every failing check (a failed policy check gives all of its reasons). */
  readonly reasons: readonly string[];
  /** What the consumer's connector must perform (ODRL duties), when permitted. */
  readonly duties: readonly Duty[];
  /** Uses recorded, this one included (when `record` was asked and permitted). */
  readonly uses?: number;
  readonly checkedAt: string;
  /** True when this is the kept answer of an earlier recorded check with the same Idempotency-Key. */
  readonly replayed?: boolean;
}

const STRING_MAX = 500;

/** What the checks read of an agreement (the locked read of a recorded check gives the whole row). */
type CandidateRow = Pick<
  AgreementRow,
  | 'id'
  | 'providerDid'
  | 'consumerDid'
  | 'target'
  | 'status'
  | 'endsAt'
  | 'activatedAt'
  | 'uses'
  | 'policyModel'
  | 'proposedAt'
>;

interface CandidateColumns extends Record<string, unknown> {
  id: string;
  provider_did: string;
  consumer_did: string;
  target: string;
  status: AgreementRow['status'];
  ends_at: string | null;
  activated_at: string | null;
  uses: number | string;
  policy_model: string;
  proposed_at: string;
}

const CANDIDATE_COLUMNS =
  'id, provider_did, consumer_did, target, status, ends_at, activated_at, uses, policy_model, proposed_at';

const AGREEMENT_BY_ID: PreparedRead = {
  name: 'agreement_check_by_id',
  text: `SELECT ${CANDIDATE_COLUMNS} FROM agreement WHERE id = $1`,
};

/**
 * Served by the index agreement_parties_target, coalesced per event-loop turn on PostgreSQL
 * (src/db/batched-read.ts): one index probe per (provider, consumer, target) asked.
 */
const AGREEMENTS_OF_PARTIES: BatchedReadStatement<CandidateColumns> = {
  many: {
    name: 'agreement_check_parties_batch',
    text:
      `SELECT ${CANDIDATE_COLUMNS.split(', ')
        .map((column) => `a.${column}`)
        .join(', ')} FROM agreement a ` +
      'JOIN unnest($1::text[], $2::text[], $3::text[]) AS asked(provider, consumer, target) ' +
      'ON a.provider_did = asked.provider AND a.consumer_did = asked.consumer AND a.target = asked.target',
  },
  one: {
    name: 'agreement_check_parties',
    text: `SELECT ${CANDIDATE_COLUMNS} FROM agreement WHERE provider_did = $1 AND consumer_did = $2 AND target = $3`,
  },
  keyOf: (row) => [row.provider_did, row.consumer_did, row.target],
};

function candidateOf(columns: CandidateColumns): CandidateRow {
  return {
    id: columns.id,
    providerDid: columns.provider_did,
    consumerDid: columns.consumer_did,
    target: columns.target,
    status: columns.status,
    endsAt: columns.ends_at,
    activatedAt: columns.activated_at,
    uses: Number(columns.uses),
    policyModel: columns.policy_model,
    proposedAt: columns.proposed_at,
  };
}
const ORDER: Readonly<Record<string, number>> = {
  active: 0,
  suspended: 1,
  proposed: 2,
  expired: 3,
  terminated: 4,
};

/** The question from a request body; `invalid_request` naming the field otherwise. */
export function parseAgreementQuestion(body: unknown): AgreementQuestion {
  const invalid = (detail: string): never => {
    throw new AgreementError('invalid_request', detail);
  };
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    invalid('the body must be a JSON object');
  const { agreement, provider, consumer, target, action, purpose, spatial, recipient, at, record, ...rest } =
    body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) invalid(`unknown field ${JSON.stringify(unknown)}`);
  const text = (name: string, value: unknown) => {
    if (
      value !== undefined &&
      (typeof value !== 'string' || value.length === 0 || value.length > STRING_MAX)
    ) {
      invalid(`${name} must be a string of 1 to ${STRING_MAX} characters`);
    }
    return value as string | undefined;
  };
  const did = (name: string, value: unknown) => {
    if (value !== undefined && !isDid(value)) invalid(`${name} must be a DID`);
    return value as string | undefined;
  };
  if (typeof action !== 'string' || action.length === 0 || action.length > 200)
    invalid('action must be an ODRL action');
  if (agreement === undefined && (provider === undefined || target === undefined)) {
    invalid('name the agreement, or the provider and the target');
  }
  if (record !== undefined && typeof record !== 'boolean') invalid('record must be a boolean');
  let when: Date | undefined;
  if (at !== undefined) {
    const instant = typeof at === 'string' ? parseInstant(at) : undefined;
    if (instant === undefined)
      return invalid('at must be an RFC 3339 date-time with an offset, of a real date and time');
    when = new Date(instant);
    if (record === true) invalid('record counts a use now: it takes no `at`');
  }
  const question: AgreementQuestion = {
    action: action as string,
    record: record === true,
    ...(text('agreement', agreement) === undefined ? {} : { agreement: agreement as string }),
    ...(did('provider', provider) === undefined ? {} : { provider: provider as string }),
    ...(did('consumer', consumer) === undefined ? {} : { consumer: consumer as string }),
    ...(text('target', target) === undefined ? {} : { target: target as string }),
    ...(text('purpose', purpose) === undefined ? {} : { purpose: purpose as string }),
    ...(text('spatial', spatial) === undefined ? {} : { spatial: spatial as string }),
    ...(did('recipient', recipient) === undefined ? {} : { recipient: recipient as string }),
    ...(when ? { at: when } : {}),
  };
  return question;
}

function checkedOf(row: CandidateRow): CheckedAgreement {
  return {
    id: row.id,
    provider: row.providerDid,
    consumer: row.consumerDid,
    target: row.target,
    status: row.status,
    endsAt: row.endsAt,
    activatedAt: row.activatedAt,
    uses: Number(row.uses),
    policy: storedPolicy(row.policyModel),
  };
}

export class AgreementChecker {
  readonly #ofParties: BatchedRead<CandidateColumns>;

  constructor(private readonly deps: AgreementDeps) {
    this.#ofParties = new BatchedRead<CandidateColumns>(deps.dataSource, AGREEMENTS_OF_PARTIES);
  }

  /**
   * Answers `question` for `caller`, the DID of an authenticated, active member. With
   * `idempotencyKey` (recorded checks only) a retry answers what the first call answered and
   * counts nothing more (check-keys.ts).
   */
  async check(
    caller: string,
    asked: AgreementQuestion,
    now: Date,
    idempotencyKey?: string,
  ): Promise<AgreementAnswer> {
    const question = await this.#normalised(asked);
    const key = idempotencyKey === undefined ? undefined : checkKeyOf(caller, question, idempotencyKey);
    if (key) {
      const kept = await reading(this.deps.dataSource, undefined, (manager) => keptAnswer(manager, key));
      if (kept) return this.#replay(caller, question, kept, now);
    }
    const rows = await this.#candidates(caller, question);
    const at = question.at ?? now;
    const checkedAt = now.toISOString();
    if (rows.length === 0) {
      const checks = [{ check: 'exists' as const, result: 'failed' as const, code: 'no_agreement' }];
      return {
        permitted: false,
        code: 'no_agreement',
        checks,
        reasons: ['no_agreement'],
        duties: [],
        checkedAt,
      };
    }
    const context = await this.#context(caller, question, at, rows, undefined);
    let first: { row: CandidateRow; results: AgreementCheckResult[] } | undefined;
    for (const row of rows) {
      const results = run(row, context);
      first ??= { row, results };
      if (results.every((result) => result.result === 'passed')) {
        if (!question.record) return answer(row, results, checkedAt);
        return this.#recordOnce(caller, question, row.id, now, key);
      }
    }
    const { row, results } = first as { row: CandidateRow; results: AgreementCheckResult[] };
    return answer(row, results, checkedAt);
  }

  /**
   * The question's purpose and place as the policy compares them, or `invalid_request`: a purpose
   * must be a DPV purpose of the rulebook in force (compact or full IRI), a place a code of
   * letters and digits. Any other spelling could slip past a prohibition or an `isNoneOf` that
   * names the same thing, so it is refused rather than compared.
   */
  async #normalised(question: AgreementQuestion): Promise<AgreementQuestion> {
    let { purpose, spatial } = question;
    if (purpose !== undefined) {
      const profile = profileOf((await this.deps.rulebook.recent(RULEBOOK_MAX_AGE_MS)).rulebook);
      const term = compactPurpose(purpose);
      if (term === undefined || !profile.purposes.has(term)) {
        throw new AgreementError(
          'invalid_request',
          `purpose ${JSON.stringify(purpose)} is not a DPV purpose of the rulebook (e.g. dpv:ServiceOptimisation)`,
        );
      }
      purpose = term;
    }
    if (spatial !== undefined) {
      const code = placeCode(spatial);
      if (code === undefined)
        throw new AgreementError(
          'invalid_request',
          'spatial must be a place code (NUTS, LAU, ISO 3166): letters and digits',
        );
      spatial = code;
    }
    return {
      ...question,
      ...(purpose === undefined ? {} : { purpose }),
      ...(spatial === undefined ? {} : { spatial }),
    };
  }

  /**
   * #record, where a racing request with the same key that committed first (on any replica)
   * makes this one answer the kept answer instead of counting again.
   */
  async #recordOnce(
    caller: string,
    question: AgreementQuestion,
    id: string,
    now: Date,
    key: CheckKey | undefined,
  ): Promise<AgreementAnswer> {
    try {
      return await this.#record(caller, question, id, now, key);
    } catch (error) {
      if (!key || !isUniqueViolation(error)) throw error;
      const kept = await reading(this.deps.dataSource, undefined, (manager) => keptAnswer(manager, key));
      if (!kept) throw error;
      return this.#replay(caller, question, kept, now);
    }
  }

  /** Re-runs every check on the locked row and, when permitted, counts the use in the same transaction. */
  async #record(
    caller: string,
    question: AgreementQuestion,
    id: string,
    now: Date,
    key: CheckKey | undefined,
  ): Promise<AgreementAnswer> {
    return inTransaction(this.deps.dataSource, undefined, async (manager) => {
      const query = manager
        .getRepository(AgreementEntity)
        .createQueryBuilder('a')
        .where('a.id = :id', { id });
      if (isPostgres(this.deps.dataSource)) query.setLock('pessimistic_write');
      const row = (await query.getOne()) as AgreementRow;
      // Under the row's lock: a request with the same key that counted first is answered as it was.
      const kept = key ? await keptAnswer(manager, key) : undefined;
      if (kept) return this.#replay(caller, question, kept, now, { row, manager });
      // The consumer exercises the action, so its connector counts the uses: a provider that
      // could record would spend the consumer's quota, and both sides recording would count twice.
      if (caller !== row.consumerDid) {
        throw new AgreementError('not_the_consumer', "uses are recorded by the consumer's connector only");
      }
      const context = await this.#context(caller, question, now, [row], manager);
      const results = run(row, context);
      if (!results.every((result) => result.result === 'passed'))
        return answer(row, results, now.toISOString());
      const uses = Number(row.uses) + 1;
      await manager.getRepository(AgreementEntity).update({ id }, { uses });
      const counted = { ...answer(row, results, now.toISOString()), uses };
      if (key) await keepAnswer(manager, key, id, counted, now);
      return counted;
    });
  }

  /**
   * A kept answer, given again only while the agreement still stands: its state checks (parties,
   * active, expiry, membership) run again now, and if one fails the answer is that refusal
   * (counting nothing), not the permit kept from before. The policy is not evaluated again: the
   * kept use is already counted, and its terms were signed. Attack review: a retry after the
   * agreement was terminated, or a party suspended, was answered `permitted: true, replayed`.
   */
  async #replay(
    caller: string,
    question: AgreementQuestion,
    kept: AgreementAnswer,
    now: Date,
    locked?: { readonly row: CandidateRow; readonly manager: EntityManager },
  ): Promise<AgreementAnswer> {
    if (!kept.permitted || kept.agreementId === undefined) return kept;
    const row =
      locked?.row ??
      (await preparedRead<CandidateColumns>(this.deps.dataSource, AGREEMENT_BY_ID, [kept.agreementId])).map(
        candidateOf,
      )[0];
    if (!row) throw new Error(`agreement ${kept.agreementId} of a kept answer is gone`);
    const context = await this.#context(caller, question, now, [row], locked?.manager);
    const agreement = checkedOf(row);
    const results: AgreementCheckResult[] = [
      { check: 'exists', result: 'passed' },
      ...STATE_CHECKS.map((check) => check(agreement, context)),
    ];
    if (results.every((result) => result.result === 'passed')) return kept;
    return answer(row, results, now.toISOString());
  }

  /** The agreements the question is about (one indexed read of the columns the checks use). */
  async #candidates(caller: string, question: AgreementQuestion): Promise<CandidateRow[]> {
    const { dataSource } = this.deps;
    if (question.agreement !== undefined) {
      const [row] = (
        await preparedRead<CandidateColumns>(dataSource, AGREEMENT_BY_ID, [question.agreement])
      ).map(candidateOf);
      if (!row) return [];
      if (caller !== row.providerDid && caller !== row.consumerDid) {
        throw new AgreementError('not_a_party', 'only the provider and the consumer ask about an agreement');
      }
      return [row];
    }
    const provider = question.provider as string;
    const consumer = question.consumer ?? caller;
    if (caller !== provider && caller !== consumer) {
      throw new AgreementError('not_a_party', 'a member asks only about agreements it is a party to');
    }
    const rows = (await this.#ofParties.read(provider, consumer, question.target as string)).map(candidateOf);
    return rows.sort(
      (a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) || b.proposedAt.localeCompare(a.proposedAt),
    );
  }

  async #context(
    caller: string,
    question: AgreementQuestion,
    now: Date,
    rows: readonly CandidateRow[],
    manager: EntityManager | undefined,
  ): Promise<CheckContext> {
    const dids = new Set<string>();
    for (const row of rows) dids.add(row.providerDid).add(row.consumerDid);
    if (question.recipient) dids.add(question.recipient);
    const members = new Map<string, { status: string; roles: readonly string[] }>();
    for (const did of dids) {
      const member = await this.deps.members.member(did, manager);
      if (member) members.set(did, member);
    }
    return {
      question,
      caller,
      now,
      memberStatus: (did) => members.get(did)?.status,
      // Only an active member is a recipient a policy can name: about any other DID a recipient
      // constraint is `unknown` (src/agreements/policy/operands/recipient.ts).
      roleOf: (did) => {
        const member = members.get(did);
        return member?.status === 'active' ? member.roles : undefined;
      },
    };
  }
}

function run(row: CandidateRow, context: CheckContext): AgreementCheckResult[] {
  const agreement = checkedOf(row);
  return [
    { check: 'exists', result: 'passed' },
    ...AGREEMENT_CHECKS.map((check) => check(agreement, context)),
  ];
}

function answer(
  row: CandidateRow,
  results: readonly AgreementCheckResult[],
  checkedAt: string,
): AgreementAnswer {
  const failures = results.filter((result) => result.result === 'failed');
  const policy = results.find((result) => result.check === 'policy');
  if (failures.length === 0) {
    return {
      permitted: true,
      agreementId: row.id,
      checks: results,
      reasons: [],
      duties: policy?.duties ?? [],
      checkedAt,
    };
  }
  return {
    permitted: false,
    code: failures[0]?.code as string,
    agreementId: row.id,
    checks: results,
    reasons: failures.flatMap((failure) => failure.reasons ?? [failure.code as string]),
    duties: [],
    checkedAt,
  };
}
