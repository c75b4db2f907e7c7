/**
 * Headless Chromium for the browser tests: Debian's chromium (`apt-get install chromium`)
 * driven by playwright-core, and axe-core's verdict on a page. Without chromium a suite is
 * skipped with a notice.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Launches headless Chromium, or skips the calling hook's suite (with a notice) when it is not installed. */
export async function launchChromium(hook: Mocha.Context): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`\n  [skip] ${CHROMIUM} is not installed; the browser suite is skipped\n`);
    hook.skip();
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
}

/** The WCAG 2.0 and 2.1 level A and AA rules of axe-core. */
export const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Asserts that axe-core finds no violation on the page as it is now: every rule it runs by
 * default (WCAG and its best practices), or only the rules of `tags`.
 */
export async function accessible(page: Page, what: string, tags?: readonly string[]): Promise<void> {
  const builder = new AxeBuilder({ page });
  const results = await (tags ? builder.withTags([...tags]) : builder).analyze();
  assert.deepEqual(
    results.violations.map(
      (violation) =>
        `${violation.id} (${violation.help}): ${violation.nodes.map((node) => node.target).join(' ')}`,
    ),
    [],
    `axe-core violations on ${what}`,
  );
}
