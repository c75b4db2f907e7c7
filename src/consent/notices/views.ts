/** The public shapes of notices (GET /api/v1/notices[/{id}[/versions/{n}]]). */
import type { PublishedVia } from '../entities.js';
import type { NoticeContent } from './content.js';

export interface NoticeVersionInfo {
  readonly version: number;
  readonly hash: string;
  readonly publishedAt: string;
}

/** One version of a notice: its content, its hash and, for the latest, every version. */
export interface NoticeView extends NoticeContent {
  /** SHA-256 (hex) of the version's RFC 8785 canonical JSON (the content above). */
  readonly hash: string;
  readonly publishedVia: PublishedVia;
  /** Every version, oldest first (GET /api/v1/notices/{id} only). */
  readonly versions?: readonly NoticeVersionInfo[];
}

/** A notice in a list: its latest version without the text. */
export type NoticeSummary = Omit<NoticeContent, 'text'> & { readonly hash: string };

export interface NoticePage {
  readonly items: readonly NoticeSummary[];
  /** The `after` of the next page; absent on the last. */
  readonly next?: string;
}

export function summaryOf(content: NoticeContent, hash: string): NoticeSummary {
  const { text: _text, ...summary } = content;
  return { ...summary, hash };
}

/** A page from rows fetched with one row beyond the limit (which says whether there is a next page). */
export function noticePage(
  rows: readonly { id: string; content: string; hash: string }[],
  limit: number,
): NoticePage {
  const items = rows
    .slice(0, limit)
    .map((row) => summaryOf(JSON.parse(row.content) as NoticeContent, row.hash));
  const last = items.at(-1);
  return { items, ...(rows.length > limit && last ? { next: last.id } : {}) };
}
