import { Command } from 'commander';
import type { ConfigSource } from './program.js';
import { printJson, withService } from './with-service.js';

/** `dataspace-trust audit verify|checkpoint`. */
export function auditCommands(config: ConfigSource): Command {
  const audit = new Command('audit').description('Verify the hash-chained audit log and sign checkpoints.');
  audit
    .command('verify')
    .description(
      'Recompute every hash and link of the audit log and compare it with the head and the stored checkpoints; ' +
        'prints { valid, size, headHash } or the first bad entry, and exits 1 when the log is not intact.',
    )
    .action(() =>
      withService(config, async (service) => {
        const result = await service.audit.verify();
        if (result.valid) {
          printJson(result);
          return;
        }
        const entry = await service.audit.entry(result.firstBadSequence);
        printJson({ ...result, ...(entry ? { entry } : {}) });
        process.exitCode = 1;
      }),
    );
  audit
    .command('checkpoint')
    .description(
      'Sign the current head of the audit log with the service DID; prints { size, headHash, at, signature }.',
    )
    .action(() =>
      withService(config, async (service) => {
        printJson(await service.audit.checkpoint());
      }),
    );
  return audit;
}
