import { Command } from 'commander';
import type { ConfigSource } from './program.js';
import { printJson, withService } from './with-service.js';

export function didCommands(config: ConfigSource): Command {
  const did = new Command('did').description("The service's own DID.");
  did
    .command('show')
    .description('Print the service DID and its DID document (creates the identity on first use).')
    .action(() =>
      withService(config, async (service) => {
        printJson({
          did: service.identity.did,
          documentUrl: new URL(service.identity.location.documentPath, `${service.config.publicUrl}/`).href,
          document: await service.identity.document(),
        });
      }),
    );
  return did;
}
