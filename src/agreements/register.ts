/**
 * The agreement register's service API: what the JSON routes (and the composition root's
 * membership port) call. Every method checks its input and refuses with an AgreementError
 * (stable code, HTTP status); every write is one transaction with its audit entry, outbox
 * event and credential status.
 */
import type { EntityManager } from 'typeorm';
import { reading } from '../db/index.js';
import { type AgreementAnswer, AgreementChecker } from './check/check.js';
import type { AgreementQuestion } from './check/types.js';
import type { AgreementDeps } from './deps.js';
import { AgreementEntity, type AgreementStatus } from './entities.js';
import { AgreementError } from './errors.js';
import { expireDue } from './expiry.js';
import { type PartyStatusChange, partyStatusChanged } from './lifecycle/membership.js';
import { type Proposal, type Proposed, propose } from './lifecycle/propose.js';
import { signAgreement, terminateAgreement } from './lifecycle/sign.js';
import { type AgreementView, agreementView, sideOf } from './lifecycle/views.js';
import { Offers } from './offers/offers.js';

const STATUSES: readonly AgreementStatus[] = ['proposed', 'active', 'suspended', 'terminated', 'expired'];

export interface AgreementPage {
  readonly items: readonly AgreementView[];
  readonly next?: string;
}

export class AgreementRegister {
  readonly offers: Offers;
  readonly #checker: AgreementChecker;

  constructor(private readonly deps: AgreementDeps) {
    this.offers = new Offers(deps);
    this.#checker = new AgreementChecker(deps);
  }

  /** Proposes an agreement for `caller` (the consumer accepting an offer, or a party registering one). */
  propose(caller: string, proposal: Proposal, idempotencyKey?: string): Promise<Proposed> {
    return propose(this.deps, caller, proposal, idempotencyKey);
  }

  /**
   * A party's signature over the agreement's hash; the second activates it. `poster`: the member
   * whose connector posted it (then it must be the signer).
   */
  sign(agreementId: string, statement: unknown, poster?: string): Promise<AgreementView> {
    return signAgreement(this.deps, agreementId, statement, poster);
  }

  /** A party's signed termination with a reason (`poster` as for `sign`). */
  terminate(agreementId: string, statement: unknown, poster?: string): Promise<AgreementView> {
    return terminateAgreement(this.deps, agreementId, statement, poster);
  }

  /** One agreement, for one of its parties (`agreement_not_found`, `not_a_party`). */
  async get(agreementId: string, caller: string): Promise<AgreementView> {
    const row = await reading(this.deps.dataSource, undefined, (m) =>
      m.getRepository(AgreementEntity).findOneBy({ id: agreementId }),
    );
    if (!row) throw new AgreementError('agreement_not_found', `no agreement ${agreementId}`);
    if (!sideOf(row, caller)) throw new AgreementError('not_a_party', 'only its parties read an agreement');
    return agreementView(row);
  }

  /** The caller's agreements (as provider or consumer) in id order, optionally of one status. */
  list(
    caller: string,
    filter: { status?: string; limit?: number; after?: string } = {},
  ): Promise<AgreementPage> {
    return this.#page({ party: caller }, filter);
  }

  /**
   * For the operator (the CLI, against the database): every agreement in id order, optionally
   * of one status, provider or consumer. Not served over HTTP.
   */
  listAll(
    filter: { status?: string; provider?: string; consumer?: string; limit?: number; after?: string } = {},
  ): Promise<AgreementPage> {
    return this.#page(
      {
        ...(filter.provider === undefined ? {} : { provider: filter.provider }),
        ...(filter.consumer === undefined ? {} : { consumer: filter.consumer }),
      },
      filter,
    );
  }

  /** For the operator: one agreement (`agreement_not_found`). Not served over HTTP. */
  async show(agreementId: string): Promise<AgreementView> {
    const row = await reading(this.deps.dataSource, undefined, (m) =>
      m.getRepository(AgreementEntity).findOneBy({ id: agreementId }),
    );
    if (!row) throw new AgreementError('agreement_not_found', `no agreement ${agreementId}`);
    return agreementView(row);
  }

  async #page(
    who: { party?: string; provider?: string; consumer?: string },
    filter: { status?: string; limit?: number; after?: string },
  ): Promise<AgreementPage> {
    const limit = filter.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new AgreementError('invalid_page_size', 'limit must be between 1 and 100');
    }
    if (filter.status !== undefined && !STATUSES.includes(filter.status as AgreementStatus)) {
      throw new AgreementError('invalid_request', `status must be one of ${STATUSES.join(', ')}`);
    }
    const rows = await reading(this.deps.dataSource, undefined, (manager) => {
      const query = manager.getRepository(AgreementEntity).createQueryBuilder('a').where('1 = 1');
      if (who.party !== undefined)
        query.andWhere('(a.providerDid = :party OR a.consumerDid = :party)', { party: who.party });
      if (who.provider !== undefined) query.andWhere('a.providerDid = :provider', { provider: who.provider });
      if (who.consumer !== undefined) query.andWhere('a.consumerDid = :consumer', { consumer: who.consumer });
      if (filter.status !== undefined) query.andWhere('a.status = :status', { status: filter.status });
      if (filter.after !== undefined) query.andWhere('a.id > :after', { after: filter.after });
      return query
        .orderBy('a.id', 'ASC')
        .limit(limit + 1)
        .getMany();
    });
    const items = rows.slice(0, limit).map(agreementView);
    const last = items.at(-1);
    return { items, ...(rows.length > limit && last ? { next: last.id } : {}) };
  }

  /** The caller's DataSharingAgreementCredential (JWT) of an activated agreement. */
  async credential(agreementId: string, caller: string): Promise<string> {
    const row = await reading(this.deps.dataSource, undefined, (m) =>
      m.getRepository(AgreementEntity).findOneBy({ id: agreementId }),
    );
    if (!row) throw new AgreementError('agreement_not_found', `no agreement ${agreementId}`);
    const side = sideOf(row, caller);
    if (!side) throw new AgreementError('not_a_party', 'only its parties download its credentials');
    const jwt = side === 'provider' ? row.providerCredential : row.consumerCredential;
    if (!jwt)
      throw new AgreementError('no_credential', 'the agreement was never activated: it has no credential');
    return jwt;
  }

  /** The connector check for `caller` (an authenticated, active member). */
  check(
    caller: string,
    question: AgreementQuestion,
    now = this.deps.now(),
    idempotencyKey?: string,
  ): Promise<AgreementAnswer> {
    return this.#checker.check(caller, question, now, idempotencyKey);
  }

  /** Ends the agreements due (the expiry job; safe on any number of replicas). */
  expireDue(now = this.deps.now()): Promise<number> {
    return expireDue(this.deps, now);
  }

  /** A party's membership changed: its agreements follow, in the caller's (the decision's) transaction. */
  partyStatusChanged(change: PartyStatusChange, manager: EntityManager): Promise<number> {
    return partyStatusChanged(this.deps, change, manager);
  }
}
