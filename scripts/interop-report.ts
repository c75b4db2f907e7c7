/**
 * Runs the interoperability tests with mocha's JSON reporter and writes the partner table of
 * docs/interoperability.md (`npm run docs:interop`). Each partner's result counts the tests of
 * its files whose full title matches it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Outcome, PARTNERS, renderTable, TABLE_END, TABLE_START } from './interop-partners.js';

interface MochaTest {
  readonly fullTitle: string;
  readonly file: string;
}

const files = [...new Set(PARTNERS.flatMap((partner) => partner.files))];
const output = join(mkdtempSync(join(tmpdir(), 'dst-interop-')), 'report.json');
try {
  execFileSync('npx', ['mocha', '--reporter', 'json', '--reporter-option', `output=${output}`, ...files], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
} catch {
  // Failures are reported in the table; the JSON file is written either way.
}
const report = JSON.parse(readFileSync(output, 'utf8')) as {
  passes: MochaTest[];
  failures: MochaTest[];
  pending: MochaTest[];
};
const count = (tests: readonly MochaTest[], files: readonly string[], match: RegExp) =>
  tests.filter((test) => files.some((file) => test.file.endsWith(file)) && match.test(test.fullTitle)).length;
const outcomes = new Map<string, Outcome>(
  PARTNERS.map((partner) => [
    partner.partner,
    {
      passed: count(report.passes, partner.files, partner.match),
      failed: count(report.failures, partner.files, partner.match),
      pending: count(report.pending, partner.files, partner.match),
    },
  ]),
);
const docUrl = new URL('../docs/interoperability.md', import.meta.url);
const doc = readFileSync(docUrl, 'utf8');
const start = doc.indexOf(TABLE_START);
const end = doc.indexOf(TABLE_END);
if (start === -1 || end === -1) throw new Error('docs/interoperability.md has no table markers');
writeFileSync(docUrl, `${doc.slice(0, start)}${renderTable(outcomes)}${doc.slice(end + TABLE_END.length)}`);
const failed = [...outcomes.values()].reduce((sum, outcome) => sum + outcome.failed, 0);
process.stdout.write(`docs/interoperability.md: ${PARTNERS.length} partners, ${failed} failed tests\n`);
process.exitCode = failed > 0 ? 1 : 0;
