import { Command } from 'commander';
import type { ConfigSource } from './program.js';
import { printJson, withService } from './with-service.js';

export function boardCommands(config: ConfigSource): Command {
  const board = new Command('board').description('The governance board (later seats are added by motion).');
  board
    .command('add')
    .description(
      'Seat a founding board member (operator action, audited) while the board has opened no motion yet; ' +
        'afterwards seats change only by motion (board_constituted). Prints the member and its BoardMemberCredential.',
    )
    .argument('<did>', "the board member's DID")
    .requiredOption('--name <name>', 'the name of the board member')
    .option(
      '--affiliation <did...>',
      'member organisations the board member is affiliated with (recused on them)',
    )
    .action((did: string, options: { name: string; affiliation?: string[] }) =>
      withService(config, async (service) => {
        const added = await service.governance.board.addFounding({
          did,
          name: options.name,
          affiliations: options.affiliation ?? [],
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
