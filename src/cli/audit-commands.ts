import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { type AuditCheckpoint, readKeptCheckpoint, verifyRemoteLog } from '../audit/index.js';
import { didWebForUrl } from '../identity/did-web.js';
import type { ConfigSource } from './program.js';
import { printJson, withService } from './with-service.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `dataspace-trust audit verify|checkpoint`. */
export function auditCommands(config: ConfigSource): Command {
  const audit = new Command('audit').description('Verify the hash-chained audit log and sign checkpoints.');
  audit
    .command('verify')
    .description(
      'Recompute every hash and link of the audit log, compare it with the head and every checkpoint, and ' +
        "verify each checkpoint's signature against the service DID; prints { valid, size, headHash } or the " +
        'first bad entry, and exits 1 when the log is not intact. With --url it reads only the public API ' +
        'of the service at that URL (no configuration, no database).',
    )
    .option(
      '--checkpoint <file|url>',
      'a checkpoint obtained earlier (as `audit checkpoint` prints it): the log must still hold it (repeatable)',
      collect,
    )
    .option('--url <public-url>', 'verify the service at this URL (its PUBLIC_URL) from its public API alone')
    .action(async (options: { checkpoint?: string[]; url?: string }) => {
      const kept: AuditCheckpoint[] = [];
      for (const where of options.checkpoint ?? []) {
        kept.push(await readKeptCheckpoint(where, (path) => readFileSync(path, 'utf8')));
      }
      if (options.url !== undefined) {
        const baseUrl = options.url.replace(/\/+$/, '');
        const location = didWebForUrl(baseUrl);
        const result = await verifyRemoteLog({
          baseUrl,
          did: location.did,
          documentUrl: new URL(location.documentPath, new URL(baseUrl).origin).href,
          kept,
        });
        printJson(result);
        if (!result.valid) process.exitCode = 1;
        return;
      }
      await withService(config, async (service) => {
        const result = await service.audit.verify({ kept });
        if (result.valid) {
          printJson(result);
          return;
        }
        const entry = await service.audit.entry(result.firstBadSequence);
        printJson({ ...result, ...(entry ? { entry } : {}) });
        process.exitCode = 1;
      });
    });
  audit
    .command('checkpoint')
    .description(
      'Sign the current head of the audit log with the service DID; prints { size, headHash, at, signature }. ' +
        'Keep it: `audit verify --checkpoint` proves later that the log still holds it.',
    )
    .action(() =>
      withService(config, async (service) => {
        printJson(await service.audit.checkpoint());
      }),
    );
  return audit;
}
