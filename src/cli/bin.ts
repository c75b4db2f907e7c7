#!/usr/bin/env node
// First: holds back a library's plain-text warning so that the log stays JSON (see the module).
import '../log/library-warnings.js';
import { main } from '../main.js';

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`dataspace-trust: ${error instanceof Error ? error.message : String(error)}\n`);
  // Typed errors may carry the list of what is wrong (e.g. schema violations).
  const details = (error as { errors?: unknown }).errors;
  if (Array.isArray(details)) for (const detail of details) process.stderr.write(`  - ${String(detail)}\n`);
  process.exit(1);
});
