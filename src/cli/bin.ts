#!/usr/bin/env node
import { main } from '../main.js';

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`dataspace-trust: ${error instanceof Error ? error.message : String(error)}\n`);
  // Typed errors may carry the list of what is wrong (e.g. schema violations).
  const details = (error as { errors?: unknown }).errors;
  if (Array.isArray(details)) for (const detail of details) process.stderr.write(`  - ${String(detail)}\n`);
  process.exit(1);
});
