// `npm start` runs the compiled service; this builds it first when dist/ is missing or older
// than any source file, so a fresh clone needs only `npm ci && npm start`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const entry = 'dist/cli/bin.js';
if (
  !existsSync(entry) ||
  statSync(entry).mtimeMs < Math.max(newest('src'), statSync('tsconfig.json').mtimeMs)
) {
  process.stderr.write('building (tsc)...\n');
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    stdio: 'inherit',
  });
}
