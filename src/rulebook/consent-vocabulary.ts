/**
 * The rulebook's consent terms as the consent capability asks them: is this a purpose, a data
 * category, a legal basis of the vocabulary; may a member in these roles publish notices; what
 * does a citizen read for a term in their language. Terms are W3C Data Privacy Vocabulary 2.x
 * concepts written as compact IRIs (`dpv:ServiceProvision`, `pd:Location`).
 */
import type {
  ConsentTerm,
  ConsentTerms,
  DataCategoryTerm,
  LocalisedText,
  NaturalPersonLogin,
} from './types.js';

/** The namespaces of the compact IRIs a vocabulary may use (DPV 2.x and its personal-data extension). */
export const CONSENT_TERM_PREFIXES: Readonly<Record<'dpv' | 'pd', string>> = Object.freeze({
  dpv: 'https://w3id.org/dpv#',
  pd: 'https://w3id.org/dpv/pd#',
});

/**
 * The DPV consent types a notice may rest on (DPV 2.x, consent types and legal bases). Implied
 * and uninformed consent are DPV terms too, but not consent under GDPR Art. 4(11), so a rulebook
 * may not offer them.
 */
export const CONSENT_LEGAL_BASES: readonly string[] = [
  'dpv:Consent',
  'dpv:InformedConsent',
  'dpv:ExpressedConsent',
  'dpv:ExplicitlyExpressedConsent',
];

/** The legal basis a notice naming a special category of personal data must rest on (GDPR Art. 9(2)(a)). */
export const EXPLICIT_CONSENT = 'dpv:ExplicitlyExpressedConsent';

/** The full IRI of a compact one (`dpv:Consent` → `https://w3id.org/dpv#Consent`); undefined for another prefix. */
export function expandTerm(id: string): string | undefined {
  const colon = id.indexOf(':');
  const prefix = id.slice(0, colon);
  if (prefix !== 'dpv' && prefix !== 'pd') return undefined;
  return `${CONSENT_TERM_PREFIXES[prefix]}${id.slice(colon + 1)}`;
}

/** The text in `language` (a BCP 47 tag; its primary subtag is tried next), else in English. */
export function localise(text: LocalisedText, language = 'en'): string {
  const primary = language.split('-')[0] ?? 'en';
  for (const tag of [language, primary, 'en']) {
    if (Object.hasOwn(text, tag)) return text[tag] as string;
  }
  return text.en as string;
}

export class ConsentVocabulary {
  readonly #purposes: ReadonlyMap<string, ConsentTerm>;
  readonly #categories: ReadonlyMap<string, DataCategoryTerm>;
  readonly #legalBases: ReadonlyMap<string, ConsentTerm>;

  constructor(
    /** The `consent` section of a validated, deeply frozen rulebook. */
    readonly terms: ConsentTerms,
  ) {
    this.#purposes = new Map(terms.purposes.map((term) => [term.id, term]));
    this.#categories = new Map(terms.dataCategories.map((term) => [term.id, term]));
    this.#legalBases = new Map(terms.legalBases.map((term) => [term.id, term]));
    Object.freeze(this);
  }

  purpose(id: string): ConsentTerm | undefined {
    return this.#purposes.get(id);
  }

  dataCategory(id: string): DataCategoryTerm | undefined {
    return this.#categories.get(id);
  }

  legalBasis(id: string): ConsentTerm | undefined {
    return this.#legalBases.get(id);
  }

  /** Whether a member holding `roles` may publish notices (any of them is a publisher role). */
  mayPublish(roles: readonly string[]): boolean {
    return roles.some((role) => this.terms.noticePublishers.includes(role));
  }

  get maxRetentionDays(): number {
    return this.terms.maxRetentionDays;
  }

  get recordRetentionDays(): number {
    return this.terms.recordRetentionDays;
  }

  get naturalPersons(): NaturalPersonLogin {
    return this.terms.naturalPersons;
  }
}
