import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseRulebook, type Rulebook } from '../../src/rulebook/index.js';

/** The shipped rulebook directory. */
export const SHIPPED_RULEBOOK_DIR = new URL('../../rulebook', import.meta.url).pathname;

/** A mutable copy of the shipped rulebook document, as parsed from rulebook.yaml. */
// biome-ignore lint/suspicious/noExplicitAny: fixtures are mutated freely to break them
export function shippedDocument(): any {
  return parse(readFileSync(`${SHIPPED_RULEBOOK_DIR}/rulebook.yaml`, 'utf8'));
}

/** The shipped rulebook with `version` replaced, and optionally changed further. */
// biome-ignore lint/suspicious/noExplicitAny: see shippedDocument
export function rulebookVersion(version: string, change: (document: any) => void = () => {}): Rulebook {
  const document = shippedDocument();
  document.version = version;
  change(document);
  return parseRulebook(document, `test rulebook ${version}`);
}
