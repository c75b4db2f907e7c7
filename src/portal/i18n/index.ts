/**
 * The portal's languages (issue 14 item 5): every text of every page comes from a message
 * catalogue (`en.ts`, `de.ts`: the same keys, none empty; test/portal/public-pages.test.ts), the
 * language from the `portal_lang` cookie (set by the switch in the page header, no JavaScript)
 * or else the browser's `Accept-Language` (RFC 9110 §12.5.4), English by default. Dates and
 * numbers are formatted for that language with `Intl`.
 */
import { de } from './de.js';
import { en, type MessageKey } from './en.js';

export type { MessageKey } from './en.js';

/** The languages the portal speaks, the default first. */
export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];

/** The cookie that keeps the language chosen with the switch. */
export const LANGUAGE_COOKIE = 'portal_lang';

/** Every catalogue, by language. */
export const CATALOGUES: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { en, de };

/** Each language's name in itself, for the switch. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', de: 'Deutsch' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * The language of a request: the cookie's when it names one we speak, else the first language
 * of `Accept-Language` (by weight, then order) that we speak, its primary subtag compared
 * (`de-AT` is German), else English. A malformed header counts as absent.
 */
export function negotiateLocale(cookie: string | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(cookie)) return cookie;
  if (!acceptLanguage || acceptLanguage.length > 1000) return LOCALES[0];
  const ranges = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag: tag.trim().toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((range) => range.tag !== '' && range.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const range of ranges) {
    const primary = range.tag.split('-')[0];
    if (isLocale(primary)) return primary;
  }
  return LOCALES[0];
}

/** The messages of one language, with `{name}` placeholders filled in. */
export interface Messages {
  readonly locale: Locale;
  t(key: MessageKey, values?: Readonly<Record<string, string | number>>): string;
  /** Whether the catalogue has `key` (for keys built from data: a status, a kind). */
  has(key: string): key is MessageKey;
  /** A date and time in this language, in UTC (`28.11.2026, 14:03 UTC`). */
  dateTime(at: string | Date): string;
  /** A date in this language. */
  date(at: string | Date): string;
  /** A number in this language (`10,000` / `10.000`). */
  number(value: number): string;
}

export function messages(locale: Locale): Messages {
  const catalogue = CATALOGUES[locale];
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  const numberFormat = new Intl.NumberFormat(locale);
  const valid = (at: string | Date) => {
    const date = at instanceof Date ? at : new Date(at);
    return Number.isNaN(date.getTime()) ? undefined : date;
  };
  return {
    locale,
    t(key, values) {
      const text = catalogue[key];
      if (!values) return text;
      return text.replace(/\{([a-zA-Z]+)\}/g, (whole, name: string) =>
        name in values ? String(values[name]) : whole,
      );
    },
    has: (key): key is MessageKey => Object.hasOwn(catalogue, key),
    dateTime(at) {
      const date = valid(at);
      return date ? `${dateTimeFormat.format(date)} UTC` : String(at);
    },
    date(at) {
      const date = valid(at);
      return date ? dateFormat.format(date) : String(at);
    },
    number: (value) => numberFormat.format(value),
  };
}
