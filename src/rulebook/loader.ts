import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { RulebookError } from './errors.js';
import { parseRulebook } from './parse.js';
import type { Rulebook } from './rulebook.js';

/** The rulebook file names a RULEBOOK_DIR may hold: exactly one of them. */
export const RULEBOOK_FILES = ['rulebook.yaml', 'rulebook.json'] as const;

/**
 * Reads `dir/rulebook.yaml` (YAML 1.2, core schema) or `dir/rulebook.json`, and validates it
 * with parseRulebook. Stops the start with a RulebookError naming the file: `rulebook_unreadable`
 * when neither or both exist or the file cannot be read, `rulebook_syntax` when it is not YAML
 * (duplicate keys, unknown tags and other warnings included) or not JSON, and the codes of
 * parseRulebook when its content is wrong.
 */
export function loadRulebook(dir: string): Rulebook {
  const present = RULEBOOK_FILES.filter((name) => existsSync(join(dir, name)));
  if (present.length !== 1) {
    const problem =
      present.length === 0
        ? `holds no ${RULEBOOK_FILES.join(' or ')}`
        : `holds both ${present.join(' and ')}: keep exactly one`;
    throw new RulebookError('rulebook_unreadable', problem, dir);
  }
  const file = join(dir, present[0] as string);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RulebookError('rulebook_unreadable', `cannot read: ${(error as Error).message}`, file);
  }
  return parseRulebook(file.endsWith('.json') ? fromJson(text, file) : fromYaml(text, file), file);
}

function fromJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RulebookError('rulebook_syntax', `not valid JSON: ${(error as Error).message}`, file);
  }
}

function fromYaml(text: string, file: string): unknown {
  const document = parseDocument(text, {
    version: '1.2',
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: true,
  });
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem)
    throw new RulebookError('rulebook_syntax', `not valid YAML: ${oneLine(problem.message)}`, file);
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new RulebookError('rulebook_syntax', `not valid YAML: ${oneLine((error as Error).message)}`, file);
  }
}

function oneLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/:\s*$/, '');
}
