/**
 * What a notice says (ISO/IEC 29184 notice, the "privacy_notice" a 27560 record points to), and
 * the check of what a member submits: well-formed, within bounds, only terms of the rulebook's
 * vocabulary, explicit consent for special categories, a retention within the rulebook's
 * maximum. Members are checked separately (they need the registry). Pure.
 */

import { type ConsentVocabulary, EXPLICIT_CONSENT } from '../../rulebook/index.js';
import { isDid } from '../../trust/index.js';
import { ConsentError } from '../errors.js';

/** The longest notice text, in characters (UTF-16 code units). */
export const MAX_NOTICE_TEXT = 10_000;
export const MAX_TITLE = 200;
export const MAX_PURPOSES = 20;
export const MAX_DATA_CATEGORIES = 30;
export const MAX_RECIPIENTS = 20;

/** What a member submits to publish a notice (or a new version of one). */
export interface NoticeInput {
  /** A short name people recognise, e.g. "Park & Ride app". */
  readonly title: string;
  /** DPV purposes (`dpv:…`) of the rulebook's vocabulary; the citizen may consent to some. */
  readonly purposes: readonly string[];
  /** DPV personal-data categories (`pd:…`) of the rulebook's vocabulary. */
  readonly dataCategories: readonly string[];
  /** DIDs of the active members the controller passes the data to (may be empty). */
  readonly recipients: readonly string[];
  /** A DPV consent type of the rulebook's vocabulary. */
  readonly legalBasis: string;
  /** How long a consent lasts, in days (at most the rulebook's maxRetentionDays). */
  readonly retentionDays: number;
  /** ISO 3166-1 alpha-2 code of the jurisdiction (or EU). */
  readonly jurisdiction: string;
  /** BCP 47 tag of the text's language. */
  readonly language: string;
  /** The text people read, at most MAX_NOTICE_TEXT characters. */
  readonly text: string;
}

/** One version of a notice as stored and hashed (RFC 8785 canonical JSON). */
export interface NoticeContent extends NoticeInput {
  readonly id: string;
  readonly version: number;
  readonly controller: string;
  /** The rulebook in force when it was published: its vocabulary defines the terms. */
  readonly rulebookVersion: string;
  readonly publishedAt: string;
}

const FIELDS: readonly (keyof NoticeInput)[] = [
  'title',
  'purposes',
  'dataCategories',
  'recipients',
  'legalBasis',
  'retentionDays',
  'jurisdiction',
  'language',
  'text',
];
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const JURISDICTION = /^[A-Z]{2}$/;

const invalid = (detail: string): never => {
  throw new ConsentError('invalid_notice', detail);
};

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0) invalid(`${field} must be a non-blank string`);
  if ((value as string).length > max) {
    if (field === 'text')
      throw new ConsentError(
        'text_too_long',
        `text has ${(value as string).length} characters; at most ${max}`,
      );
    invalid(`${field} has more than ${max} characters`);
  }
  return value as string;
}

function list(value: unknown, field: string, min: number, max: number): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    invalid(`${field} must be an array of strings`);
  }
  const items = value as string[];
  if (items.length < min || items.length > max) invalid(`${field} must have ${min} to ${max} entries`);
  if (new Set(items).size !== items.length) invalid(`${field} lists an entry twice`);
  return items;
}

/**
 * The submitted notice, checked against the vocabulary. Throws ConsentError: `invalid_notice`
 * (a field missing, unknown, malformed or out of bounds; the detail names it), `text_too_long`,
 * `unknown_purpose` / `unknown_data_category` / `unknown_legal_basis` (naming the term, also as
 * the `term` extension), `explicit_consent_required`, `retention_too_long`.
 */
export function validateNoticeInput(value: unknown, vocabulary: ConsentVocabulary): NoticeInput {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    invalid('the notice must be a JSON object');
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(key)) invalid(`unknown field ${JSON.stringify(key)}`);
  }
  const title = text(input.title, 'title', MAX_TITLE);
  const purposes = list(input.purposes, 'purposes', 1, MAX_PURPOSES);
  const dataCategories = list(input.dataCategories, 'dataCategories', 1, MAX_DATA_CATEGORIES);
  const recipients = list(input.recipients ?? [], 'recipients', 0, MAX_RECIPIENTS);
  for (const recipient of recipients)
    if (!isDid(recipient)) invalid(`recipient ${JSON.stringify(recipient)} is not a DID`);
  const legalBasis = input.legalBasis;
  if (typeof legalBasis !== 'string') invalid('legalBasis must be a string');
  const retentionDays = input.retentionDays;
  if (typeof retentionDays !== 'number' || !Number.isInteger(retentionDays) || retentionDays < 1) {
    invalid('retentionDays must be a whole number of days, at least 1');
  }
  const jurisdiction = input.jurisdiction;
  if (typeof jurisdiction !== 'string' || !JURISDICTION.test(jurisdiction)) {
    invalid('jurisdiction must be an ISO 3166-1 alpha-2 code such as DE (or EU)');
  }
  const language = input.language;
  if (typeof language !== 'string' || language.length > 35 || !LANGUAGE.test(language)) {
    invalid('language must be a BCP 47 language tag such as en or de');
  }
  const body = text(input.text, 'text', MAX_NOTICE_TEXT);

  for (const term of purposes) {
    if (!vocabulary.purpose(term)) {
      throw new ConsentError('unknown_purpose', `${term} is not a purpose of the rulebook's vocabulary`, {
        term,
      });
    }
  }
  for (const term of dataCategories) {
    if (!vocabulary.dataCategory(term)) {
      throw new ConsentError(
        'unknown_data_category',
        `${term} is not a data category of the rulebook's vocabulary`,
        {
          term,
        },
      );
    }
  }
  if (!vocabulary.legalBasis(legalBasis as string)) {
    throw new ConsentError(
      'unknown_legal_basis',
      `${legalBasis} is not a legal basis of the rulebook's vocabulary`,
      {
        term: legalBasis,
      },
    );
  }
  const special = dataCategories.find((term) => vocabulary.dataCategory(term)?.specialCategory === true);
  if (special && legalBasis !== EXPLICIT_CONSENT) {
    throw new ConsentError(
      'explicit_consent_required',
      `${special} is a special category of personal data (GDPR Art. 9): the legal basis must be ${EXPLICIT_CONSENT}`,
      { term: special },
    );
  }
  if ((retentionDays as number) > vocabulary.maxRetentionDays) {
    throw new ConsentError(
      'retention_too_long',
      `retentionDays ${retentionDays} exceeds the rulebook's maximum of ${vocabulary.maxRetentionDays} days`,
    );
  }
  return {
    title,
    purposes,
    dataCategories,
    recipients,
    legalBasis: legalBasis as string,
    retentionDays: retentionDays as number,
    jurisdiction: jurisdiction as string,
    language: language as string,
    text: body,
  };
}
