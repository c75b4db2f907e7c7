import { Command } from 'commander';
import type { ConfigSource } from './program.js';
import { printJson, withService } from './with-service.js';

export function boardCommands(config: ConfigSource): Command {
  const board = new Command('board').description('The governance board (later seats are added by motion).');
  board
    .command('add')
    .description(
      'Seat a board member (operator action, audited); prints the member and its BoardMemberCredential.',
    )
    .argument('<did>', "the board member's DID")
    .requiredOption('--name <name>', 'the name of the board member')
    .option(
      '--affiliation <did...>',
      'member organisations the board member is affiliated with (recused on them)',
    )
    .action((did: string, options: { name: string; affiliation?: string[] }) =>
      withService(config, async (service) => {
        const added = await service.governance.board.add({
          did,
          name: options.name,
          affiliations: options.affiliation ?? [],
          by: 'operator',
        });
        printJson(added);
      }),
    );
  board
    .command('list')
    .description('List board members.')
    .action(() => withService(config, async (service) => printJson(await service.governance.board.list())));
  return board;
}
