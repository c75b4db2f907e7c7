/**
 * `dataspace-trust offers list|show` and `dataspace-trust agreements list|show|check`: the
 * operator's read side of the agreement register (docs/agreements.md "Operator CLI"), against
 * the database like the other operator commands (the service's configuration; no token). The
 * check is the connectors' check, asked as the consumer and never counting a use. Results are
 * JSON on stdout, in the shapes of the HTTP API.
 */
import { Command } from 'commander';
import { parseAgreementQuestion } from '../agreements/index.js';
import type { ConfigSource } from './program.js';
import { printJson, withService } from './with-service.js';

function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,4}$/.test(value)) throw new Error('--limit must be a whole number from 1 to 100');
  return Number(value);
}

const defined = <T extends Record<string, unknown>>(values: T) =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;

/** `dataspace-trust offers list|show`. */
export function offersCommands(config: ConfigSource): Command {
  const offers = new Command('offers').description(
    'ODRL offers of the register (read; against the database).',
  );
  offers
    .command('list')
    .description('The latest version of each offer, in id order: { items, next? }.')
    .option('--provider <did>', "only this provider's offers")
    .option('--target <iri>', 'only offers for this target')
    .option('--limit <n>', 'at most this many (1 to 100, default 20)')
    .option('--after <id>', 'the `next` of the previous page')
    .action((options: { provider?: string; target?: string; limit?: string; after?: string }) =>
      withService(config, async (service) => {
        const limit = limitOf(options.limit);
        printJson(
          await service.agreements.offers.list(
            defined({ provider: options.provider, target: options.target, after: options.after, limit }),
          ),
        );
      }),
    );
  offers
    .command('show')
    .description('An offer: its latest version with its latest versions listed.')
    .argument('<id>', 'the offer id')
    .action((id: string) =>
      withService(config, async (service) => {
        printJson(await service.agreements.offers.get(id));
      }),
    );
  return offers;
}

/** `dataspace-trust agreements list|show|check`. */
export function agreementsCommands(config: ConfigSource): Command {
  const agreements = new Command('agreements').description(
    'Data-sharing agreements of the register (read; against the database).',
  );
  agreements
    .command('list')
    .description('Agreements in id order, optionally of one status, provider or consumer: { items, next? }.')
    .option('--status <status>', 'proposed, active, suspended, terminated or expired')
    .option('--provider <did>', 'only agreements of this provider')
    .option('--consumer <did>', 'only agreements of this consumer')
    .option('--limit <n>', 'at most this many (1 to 100, default 20)')
    .option('--after <id>', 'the `next` of the previous page')
    .action(
      (options: { status?: string; provider?: string; consumer?: string; limit?: string; after?: string }) =>
        withService(config, async (service) => {
          const limit = limitOf(options.limit);
          printJson(
            await service.agreements.listAll(
              defined({
                status: options.status,
                provider: options.provider,
                consumer: options.consumer,
                after: options.after,
                limit,
              }),
            ),
          );
        }),
    );
  agreements
    .command('show')
    .description('An agreement: status, parties, terms and hash, signatures, the end and its reason.')
    .argument('<id>', 'the agreement id')
    .action((id: string) =>
      withService(config, async (service) => {
        printJson(await service.agreements.show(id));
      }),
    );
  agreements
    .command('check')
    .description(
      "The connectors' check, asked as the consumer (never counting a use): { permitted, code?, agreementId, checks, reasons, duties }.",
    )
    .option('--agreement <id>', 'the agreement (else --provider, --consumer and --target)')
    .option('--provider <did>', 'the provider')
    .option('--consumer <did>', 'the consumer')
    .option('--target <iri>', 'the dataset or service')
    .requiredOption('--action <action>', 'the ODRL action, e.g. read')
    .option('--purpose <term>', 'a DPV purpose of the rulebook, e.g. dpv:ServiceProvision')
    .option('--spatial <code>', 'a place code (NUTS, LAU, ISO 3166)')
    .option('--recipient <did>', 'the member the data goes to')
    .option('--at <date-time>', 'when the exchange happens (RFC 3339; default now)')
    .action((options: Record<string, string | undefined>) =>
      withService(config, async (service) => {
        const question = parseAgreementQuestion(
          defined({
            agreement: options.agreement,
            provider: options.provider,
            consumer: options.consumer,
            target: options.target,
            action: options.action,
            purpose: options.purpose,
            spatial: options.spatial,
            recipient: options.recipient,
            at: options.at,
          }),
        );
        const consumer =
          question.agreement !== undefined
            ? (await service.agreements.show(question.agreement)).consumer
            : question.consumer;
        if (consumer === undefined)
          throw new Error('name the agreement, or --provider, --consumer and --target');
        printJson(await service.agreements.check(consumer, question));
      }),
    );
  return agreements;
}
