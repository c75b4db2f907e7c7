#!/usr/bin/env node
// First: holds back a library's plain-text warning so that the log stays JSON (see the module).
import '../log/library-warnings.js';
import { main } from '../main.js';

main(process.argv).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  // A typed error's stable code leads the line, so that scripts can tell refusals apart.
  const code = (error as { code?: unknown }).code;
  const prefix =
    typeof code === 'string' && /^[a-z_]+$/.test(code) && !message.startsWith(code) ? `${code}: ` : '';
  process.stderr.write(`dataspace-trust: ${prefix}${message}\n`);
  // Typed errors may carry the list of what is wrong (e.g. schema violations).
  const details = (error as { errors?: unknown }).errors;
  if (Array.isArray(details)) for (const detail of details) process.stderr.write(`  - ${String(detail)}\n`);
  process.exit(1);
});
