import { Command } from 'commander';
import { recordKeyRetirement, recordKeyRotation } from './operator-actions.js';
import type { ConfigSource } from './program.js';
import { printJson, withService } from './with-service.js';

export function keysCommands(config: ConfigSource): Command {
  const keys = new Command('keys').description("Rotate and retire the service DID's keys.");
  keys
    .command('rotate')
    .description(
      'Add a new Ed25519 and P-256 key and a new RS256 OpenID Connect token key, and sign with them; the old keys stay published until retired.',
    )
    .action(() =>
      withService(config, async (service) => {
        const result = await service.identity.rotate();
        await recordKeyRotation(service, result);
        printJson({
          added: result.added.map((k) => k.id),
          previous: result.previous.map((k) => k.id),
          tokenKeys: result.tokenKeys,
        });
      }),
    );
  keys
    .command('retire')
    .description('Remove the previous keys from the DID document and delete their private keys.')
    .action(() =>
      withService(config, async (service) => {
        const retired = await service.identity.retire();
        await recordKeyRetirement(service, retired);
        printJson({ retired: retired.map((k) => k.id) });
      }),
    );
  keys
    .command('list')
    .description('List the published keys and their status.')
    .action(() =>
      withService(config, async (service) => {
        printJson(
          (await service.identity.publishedKeys()).map((k) => ({
            id: k.id,
            algorithm: k.algorithm,
            status: k.status,
            createdAt: k.createdAt,
          })),
        );
      }),
    );
  return keys;
}
