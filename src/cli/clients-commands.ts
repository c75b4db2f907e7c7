/**
 * `dataspace-trust clients add|list|remove`: the relying parties of the OpenID Connect
 * provider, registered by the operator. `add` prints the client as JSON, with its generated
 * `client_secret` (shown once, stored hashed) unless the client authenticates with keys.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { addClientAsOperator, removeClientAsOperator } from './operator-actions.js';
import type { ConfigSource } from './program.js';
import { printJson, withService } from './with-service.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function clientsCommands(config: ConfigSource): Command {
  const clients = new Command('clients').description(
    'Register, list and remove OpenID Connect relying parties.',
  );
  clients
    .command('add')
    .description('Register a client; prints it as JSON (the client_secret is shown only now).')
    .requiredOption('--client-id <id>', 'the client identifier')
    .requiredOption('--redirect-uri <uri>', 'an exact redirect URI (repeatable)', collect)
    .option(
      '--scope <scope>',
      'a scope the client may ask for besides openid: membership, board, offline_access (repeatable)',
      collect,
    )
    .option('--post-logout-redirect-uri <uri>', 'where RP-initiated logout may return (repeatable)', collect)
    .option('--jwks-uri <url>', 'the client authenticates with private_key_jwt, keys at this URL')
    .option('--jwks <json|@file>', 'the client authenticates with private_key_jwt, with this JWKS')
    .option('--name <name>', 'the name shown on the login page')
    .option('--id-token-alg <alg>', 'how its ID tokens are signed: ES256 (default), RS256 or EdDSA')
    .action((options: Record<string, string | string[] | undefined>) =>
      withService(config, async (service) => {
        const jwksText = options.jwks as string | undefined;
        const jwks =
          jwksText === undefined
            ? undefined
            : JSON.parse(jwksText.startsWith('@') ? readFileSync(jwksText.slice(1), 'utf8') : jwksText);
        printJson(
          await addClientAsOperator(service, {
            clientId: options.clientId as string,
            redirectUris: options.redirectUri as string[],
            scopes: (options.scope as string[] | undefined) ?? [],
            postLogoutRedirectUris: (options.postLogoutRedirectUri as string[] | undefined) ?? [],
            ...(options.jwksUri !== undefined ? { jwksUri: options.jwksUri as string } : {}),
            ...(jwks !== undefined ? { jwks } : {}),
            ...(options.name !== undefined ? { clientName: options.name as string } : {}),
            ...(options.idTokenAlg !== undefined
              ? { idTokenSignedResponseAlg: options.idTokenAlg as string }
              : {}),
          }),
        );
      }),
    );
  clients
    .command('list')
    .description('Every registered client, without secrets, as JSON.')
    .action(() => withService(config, async (service) => printJson(await service.oidc.clients.list())));
  clients
    .command('remove')
    .description('Remove a client.')
    .argument('<client-id>', 'the client identifier')
    .action((clientId: string) =>
      withService(config, async (service) => {
        await removeClientAsOperator(service, clientId);
        printJson({ removed: clientId });
      }),
    );
  return clients;
}
