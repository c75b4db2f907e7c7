/** Small pieces the pages share: dates, statuses, plain-language terms. */
import type { ConsentView } from '../../consent/index.js';

/** `2026-11-28 14:03 UTC` in a `<time>` element (the machine-readable instant in `datetime`). */
export function When({ at }: { readonly at: string }) {
  const date = new Date(at);
  const text = Number.isNaN(date.getTime()) ? at : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return <time dateTime={at}>{text}</time>;
}

const STATUS_TEXT: Readonly<Record<ConsentView['status'], string>> = {
  given: 'Active',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
  superseded: 'Replaced by a newer consent',
};

export function statusText(status: ConsentView['status']): string {
  return STATUS_TEXT[status] ?? status;
}

/** A vocabulary term as the citizen reads it: its label, or its id when the rulebook has none. */
export interface TermLabels {
  purpose(id: string): string;
  dataCategory(id: string): string;
  legalBasis(id: string): string;
}

const EVENT_TEXT: Readonly<Record<string, string>> = {
  given: 'Consent given',
  withdrawn: 'Consent withdrawn',
  expired: 'Consent expired',
  superseded: 'Replaced by a newer consent',
  erased: 'Account erased',
};

export function eventText(event: string): string {
  return EVENT_TEXT[event] ?? event;
}
