import { CONFIG_KEYS } from './keys.js';

/** Renders docs/configuration.md from the key table. */
export function renderConfigurationDocs(): string {
  const rows = CONFIG_KEYS.map((key) => {
    const secret = key.secret ? ' Secret: never logged.' : '';
    return `| \`${key.name}\` | ${key.defaultText.replaceAll('|', '\\|')} | ${key.description.replaceAll('|', '\\|')}${secret} |`;
  });
  return [
    '# Configuration',
    '',
    '<!-- Generated from src/config/keys.ts by `npm run docs:config`. Do not edit by hand. -->',
    '',
    'The service reads its configuration from the environment once, at start. An empty value',
    'counts as unset. A bad value stops the start with one line naming the variable.',
    '',
    '| variable | default | meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
