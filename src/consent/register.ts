/**
 * The consent register's service API: what the JSON routes, the consent pages and the wallet
 * login flow call. Every method checks its input and refuses with a ConsentError (stable code,
 * HTTP status); every write is one transaction with its history, receipt status, outbox event
 * and audit entry.
 *
 * The flow of a citizen, as the pages use it:
 * 1. `notices.content(id, version)` and `describe(...)`: what to show (labels in the citizen's
 *    language, from the rulebook version the notice was published under).
 * 2. After the wallet login: `citizenFromLogin(presented)` → the Citizen.
 * 3. `give({ noticeId, version, noticeHash, citizen, purposes, collectedVia, idempotencyKey })`
 *    → the record (its id goes back to the member's app) and the receipt for the wallet.
 * 4. On the dashboard: `list(citizen)`, `get(id, citizen)`, `receipt(id, citizen)`,
 *    `withdraw({ consentId, citizen })`, `export(citizen)`, `erase(citizen)`.
 */
import type { ConsentVocabulary, LocalisedText } from '../rulebook/index.js';
import { localise } from '../rulebook/index.js';
import { type ConsentAnswer, ConsentChecker } from './check/check.js';
import type { ConsentQuestion } from './check/types.js';
import { citizenFromLogin, type PresentedIdentity } from './citizen.js';
import type { ConsentDeps } from './deps.js';
import { expireDue, purgeEnded } from './expiry.js';
import type { NoticeContent } from './notices/content.js';
import { Notices, vocabularyOf } from './notices/notices.js';
import type { Citizen } from './pairwise.js';
import {
  type CitizenConsent,
  citizenConsent,
  consentReceipt,
  type ErasureResult,
  eraseCitizen,
  exportConsents,
  type Iso27560Export,
  listConsents,
} from './records/citizen.js';
import { type GiveConsentRequest, type GivenConsent, giveConsent } from './records/give.js';
import type { ConsentView } from './records/views.js';
import { type WithdrawRequest, withdrawConsent } from './records/withdraw.js';

/** A term of a notice with what the citizen reads for it. */
export interface DescribedTerm {
  readonly id: string;
  readonly label: string;
  readonly description?: string;
}

/** A notice's terms in plain language, for the consent page. */
export interface DescribedNotice {
  readonly language: string;
  readonly purposes: readonly DescribedTerm[];
  readonly dataCategories: readonly (DescribedTerm & { readonly specialCategory: boolean })[];
  readonly legalBasis: DescribedTerm;
}

export class ConsentRegister {
  readonly notices: Notices;
  readonly #checker: ConsentChecker;

  constructor(private readonly deps: ConsentDeps) {
    this.notices = new Notices(deps);
    this.#checker = new ConsentChecker(deps.dataSource, deps.members);
  }

  /** The consent vocabulary of the rulebook in force; `consent_not_enabled` without one. */
  async vocabulary(): Promise<ConsentVocabulary> {
    return vocabularyOf((await this.deps.rulebook.current()).rulebook);
  }

  /**
   * The notice's purposes, data categories and legal basis as a citizen reads them in
   * `language` (else English), from the vocabulary of the rulebook version it was published
   * under (a later amendment that renames or drops a term does not change an old notice).
   */
  async describe(notice: NoticeContent, language = 'en'): Promise<DescribedNotice> {
    const adopted =
      (await this.deps.rulebook.get(notice.rulebookVersion)) ?? (await this.deps.rulebook.current());
    const vocabulary = vocabularyOf(adopted.rulebook);
    const term = (id: string, found: { label: LocalisedText; description?: LocalisedText } | undefined) => ({
      id,
      label: found ? localise(found.label, language) : id,
      ...(found?.description ? { description: localise(found.description, language) } : {}),
    });
    return {
      language,
      purposes: notice.purposes.map((id) => term(id, vocabulary.purpose(id))),
      dataCategories: notice.dataCategories.map((id) => ({
        ...term(id, vocabulary.dataCategory(id)),
        specialCategory: vocabulary.dataCategory(id)?.specialCategory === true,
      })),
      legalBasis: term(notice.legalBasis, vocabulary.legalBasis(notice.legalBasis)),
    };
  }

  /** The Citizen of a verified wallet login, per the rulebook's consent.naturalPersons (see citizen.ts). */
  async citizenFromLogin(presented: PresentedIdentity): Promise<Citizen> {
    return citizenFromLogin((await this.vocabulary()).naturalPersons, presented);
  }

  /** Records the citizen's consent and issues its receipt (see records/give.ts for every refusal). */
  give(request: GiveConsentRequest): Promise<GivenConsent> {
    return giveConsent(this.deps, request);
  }

  /** Withdraws one of the citizen's consents at once (`forbidden`, `already_withdrawn`, ...). */
  withdraw(request: WithdrawRequest): Promise<ConsentView> {
    return withdrawConsent(this.deps, request);
  }

  /** The citizen's consents, newest first, with history, notice title and controller name. */
  list(citizen: Citizen): Promise<CitizenConsent[]> {
    return listConsents(this.deps, citizen);
  }

  /** One of the citizen's consents with its history (`consent_not_found`, `forbidden`). */
  get(consentId: string, citizen: Citizen): Promise<ConsentView> {
    return citizenConsent(this.deps, consentId, citizen);
  }

  /** The receipt JWT of one of the citizen's consents, to download again. */
  receipt(consentId: string, citizen: Citizen): Promise<string> {
    return consentReceipt(this.deps, consentId, citizen);
  }

  /** Every record of the citizen in ISO/IEC TS 27560 form. */
  export(citizen: Citizen): Promise<Iso27560Export> {
    return exportConsents(this.deps, citizen);
  }

  /** Erases the citizen's account as far as the rulebook's retention allows (see records/citizen.ts). */
  erase(citizen: Citizen): Promise<ErasureResult> {
    return eraseCitizen(this.deps, citizen);
  }

  /** The connector check for `caller` (an authenticated, active member). */
  check(caller: string, question: ConsentQuestion, now = this.deps.now()): Promise<ConsentAnswer> {
    return this.#checker.check(caller, question, now);
  }

  /** Ends the consents due (the expiry job; safe on any number of replicas). */
  expireDue(now = this.deps.now()): Promise<number> {
    return expireDue(this.deps, now);
  }

  /** Deletes ended records past the rulebook's record retention (the expiry job). */
  purgeEnded(now = this.deps.now()): Promise<number | undefined> {
    return purgeEnded(this.deps, now);
  }
}
