/** Small pieces the public pages share: dates, DIDs, paging links, a status in words. */
import type { ComponentChildren } from 'preact';
import type { Messages } from '../i18n/index.js';

/** An instant in the page's language, the machine-readable form in `datetime`. */
export function When({ at, msg }: { readonly at: string | Date; readonly msg: Messages }) {
  const iso = at instanceof Date ? at.toISOString() : at;
  return <time dateTime={iso}>{msg.dateTime(at)}</time>;
}

/** A DID or a hash: code, broken anywhere on a narrow screen. */
export function Code({ children, id }: { readonly children: ComponentChildren; readonly id?: string }) {
  return <code {...(id ? { id } : {})}>{children}</code>;
}

/** A member's status in words (`status.active`…), the code itself when the catalogue has none. */
export function memberStatusText(msg: Messages, status: string): string {
  const key = `status.${status}`;
  return msg.has(key) ? msg.t(key) : status;
}

/** A side of the data space in words (`side.supply`…). */
export function sideText(msg: Messages, side: string): string {
  const key = `side.${side}`;
  return msg.has(key) ? msg.t(key) : side;
}

/** A motion kind in words (`motion.kind.admit`…). */
export function motionKindText(msg: Messages, kind: string): string {
  const key = `motion.kind.${kind}`;
  return msg.has(key) ? msg.t(key) : kind;
}

/** Why a motion was decided as it was (`motion.outcome.thresholds_met`…), the code otherwise. */
export function outcomeText(msg: Messages, reason: string): string {
  const key = `motion.outcome.${reason}`;
  return msg.has(key) ? msg.t(key) : reason;
}

/** An audit entry's kind in words (`audit.kind.member.admitted`…), the kind itself otherwise. */
export function auditKindText(msg: Messages, kind: string): string {
  const key = `audit.kind.${kind}`;
  return msg.has(key) ? msg.t(key) : kind;
}

/** Links to the first and the next page (plain links: paging works without JavaScript). */
export function Pager(props: {
  readonly msg: Messages;
  readonly first?: string;
  readonly next?: string;
  readonly label: string;
}) {
  if (!props.first && !props.next) return null;
  return (
    <nav aria-label={props.label}>
      <ul class="pager">
        {props.first && (
          <li>
            <a href={props.first} id="first-page">
              {props.msg.t('paging.first')}
            </a>
          </li>
        )}
        {props.next && (
          <li>
            <a href={props.next} id="next-page" rel="next">
              {props.msg.t('paging.next')}
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}

/** `path?query` with only the parameters that have a value. */
export function withQuery(path: string, query: Readonly<Record<string, string | undefined>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * A table that scrolls sideways on its own when it is wider than a phone, never the page: a
 * labelled region that takes focus, so that keyboard users can scroll it too (WCAG 2.1.1).
 */
export function TableWrap({
  label,
  children,
}: {
  readonly label: string;
  readonly children: ComponentChildren;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section class="table-wrap" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
