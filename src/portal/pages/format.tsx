/** Small pieces the consent pages share: dates, statuses, plain-language terms, in the page's language. */
import type { ConsentView } from '../../consent/index.js';
import type { Messages } from '../i18n/index.js';

/** An instant in the page's language (UTC), the machine-readable instant in `datetime`. */
export function When({ at, msg }: { readonly at: string; readonly msg: Messages }) {
  return <time dateTime={at}>{msg.dateTime(at)}</time>;
}

export function statusText(msg: Messages, status: ConsentView['status']): string {
  const key = `consent.status.${status}`;
  return msg.has(key) ? msg.t(key) : status;
}

/** A vocabulary term as the citizen reads it: its label, or its id when the rulebook has none. */
export interface TermLabels {
  purpose(id: string): string;
  dataCategory(id: string): string;
  legalBasis(id: string): string;
}

export function eventText(msg: Messages, event: string): string {
  const key = `consent.event.${event}`;
  return msg.has(key) ? msg.t(key) : event;
}
