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
    .description(
      'Remove the previous keys from the DID document and delete their private keys. Refuses while ' +
        'credentials or status lists signed with them are in force (they would stop verifying), and says how many.',
    )
    .option(
      '--force',
      'retire even so: those credentials and lists stop verifying (on other replicas within their 30 s key reload)',
    )
    .action((options: { force?: boolean }) =>
      withService(config, async (service) => {
        const published = await service.identity.publishedKeys();
        const previous = published.filter((key) => key.status === 'previous');
        const usage = await service.credentials.keyUsage(previous, published);
        const inUse = usage.filter((key) => key.credentials > 0 || key.statusLists > 0);
        if (inUse.length > 0 && !options.force) {
          const credentials = inUse.reduce((sum, key) => sum + key.credentials, 0);
          const lists = Math.max(...inUse.map((key) => key.statusLists));
          const until = inUse
            .map((key) => key.statusListsValidUntil)
            .sort()
            .at(-1);
          process.stderr.write(
            `dataspace-trust: refusing to retire: ${credentials} credential(s) signed with the previous keys are in force` +
              (lists > 0 ? ` and ${lists} status list(s) signed with them may be held until ${until}` : '') +
              '; re-issue or revoke them, or wait, or pass --force\n',
          );
          printJson({ code: 'keys_in_use', keys: usage });
          process.exitCode = 1;
          return;
        }
        const retired = await service.identity.retire();
        await recordKeyRetirement(service, retired);
        printJson({ retired: retired.map((k) => k.id), ...(inUse.length > 0 ? { forced: usage } : {}) });
      }),
    );
  keys
    .command('list')
    .description(
      'List the keys and their status: the DID document\'s (use "did") and the OpenID Connect token keys (use "oidc-token", never in the DID document).',
    )
    .action(() =>
      withService(config, async (service) => {
        printJson([
          ...(await service.identity.publishedKeys()).map((k) => ({
            id: k.id,
            algorithm: k.algorithm,
            status: k.status,
            createdAt: k.createdAt,
            use: 'did',
          })),
          ...(await service.identity.tokenKeyList()).map((k) => ({
            id: k.kid,
            algorithm: k.algorithm,
            status: k.status,
            createdAt: k.createdAt,
            use: 'oidc-token',
          })),
        ]);
      }),
    );
  return keys;
}
