/**
 * The difference between two adopted rulebook versions, line by line on a canonical
 * pretty-printed form (RFC 8785 key order, two-space indentation): equal rulebooks give no
 * difference whatever their files' key order or format, and every changed value shows with its
 * path's keys around it.
 */
import { structuredPatch } from 'diff';
import type { Rulebook } from './rulebook.js';

/** One line of a hunk: `added`, `removed`, or `context` (unchanged, shown around a change). */
export interface DiffLine {
  readonly change: 'added' | 'removed' | 'context';
  readonly text: string;
  /** The line number in the older version (removed and context lines). */
  readonly oldLine?: number;
  /** The line number in the newer version (added and context lines). */
  readonly newLine?: number;
}

export interface DiffHunk {
  readonly oldStart: number;
  readonly newStart: number;
  readonly lines: readonly DiffLine[];
}

export interface RulebookDiff {
  readonly from: string;
  readonly to: string;
  readonly hunks: readonly DiffHunk[];
  readonly added: number;
  readonly removed: number;
}

/** A rulebook as the diff reads it: canonical key order, pretty-printed. */
export function prettyRulebook(rulebook: Rulebook): string {
  return `${JSON.stringify(JSON.parse(rulebook.canonical), null, 2)}\n`;
}

/** The changes from `from` to `to`, with `context` unchanged lines around each (default 3). */
export function diffRulebooks(from: Rulebook, to: Rulebook, context = 3): RulebookDiff {
  const patch = structuredPatch(from.version, to.version, prettyRulebook(from), prettyRulebook(to), '', '', {
    context,
  });
  let added = 0;
  let removed = 0;
  const hunks = patch.hunks.map((hunk) => {
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    const lines: DiffLine[] = [];
    for (const line of hunk.lines) {
      const marker = line[0];
      const text = line.slice(1);
      if (marker === '+') {
        added++;
        lines.push({ change: 'added', text, newLine: newLine++ });
      } else if (marker === '-') {
        removed++;
        lines.push({ change: 'removed', text, oldLine: oldLine++ });
      } else if (marker === ' ') {
        lines.push({ change: 'context', text, oldLine: oldLine++, newLine: newLine++ });
      }
      // `\ No newline at end of file` cannot occur: both texts end with a newline.
    }
    return { oldStart: hunk.oldStart, newStart: hunk.newStart, lines };
  });
  return { from: from.version, to: to.version, hunks, added, removed };
}
