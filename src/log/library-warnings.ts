/**
 * Keeps one known library warning out of the JSON log stream. oidc-provider prints
 * "Unsupported runtime. Use Node.js v22.x LTS" with `console.warn` when its module is
 * evaluated on Node 20 (a dynamic import while the service opens), a plain-text line among JSON lines. This module, imported by the
 * command's entry point before anything else, holds that one line back; the start command
 * then logs it through the logger, as JSON. Every other console output passes unchanged.
 */
const held: string[] = [];
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const original = console.warn.bind(console);

console.warn = (...args: unknown[]) => {
  const text = args.map(String).join(' ');
  if (/oidc-provider WARNING: Unsupported runtime/.test(text)) {
    // Without the terminal colours oidc-provider adds on a TTY.
    held.push(text.replace(ANSI_COLOUR, ''));
    return;
  }
  original(...args);
};

/** The library warnings held back so far (each returned once). */
export function takeLibraryWarnings(): string[] {
  return held.splice(0);
}
