/**
 * `dataspace-trust wallet offers …` and `wallet agreements …`: a member's side of the agreement
 * register (docs/agreements.md) from its holder wallet, over HTTP only. Connector calls carry an
 * access token of scope `agreements`: `--token` (e.g. from `wallet connector-token --scope
 * agreements`) or, without it, one the wallet asks for with its DID key. Signatures and
 * terminations are statements signed by the wallet after it has recomputed the terms' hash.
 * Results are JSON on stdout.
 */
import { type Command, Option } from 'commander';
import {
  AgreementsClient,
  requestConnectorToken,
  ServiceClient,
  type Wallet,
  WalletError,
} from '../wallet/index.js';
import { printJson } from './with-service.js';

export interface AgreementCommandKit {
  readonly defaultDir: string;
  readonly help: string;
  readonly open: (options: { wallet: string; passphraseFile?: string }) => Promise<Wallet>;
  readonly action: <A extends unknown[]>(run: (...args: A) => Promise<void>) => (...args: A) => Promise<void>;
  readonly readArgument: (value: string) => string;
}

interface Common {
  readonly wallet: string;
  readonly passphraseFile?: string;
  readonly service: string;
  readonly token?: string;
}

function json(name: string, value: string, readArgument: (value: string) => string): unknown {
  try {
    return JSON.parse(readArgument(value));
  } catch {
    throw new WalletError('invalid_argument', `${name} must be JSON (or @file holding JSON)`);
  }
}

function whole(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(value))
    throw new WalletError('invalid_argument', `${name} must be a whole number from 1`);
  return Number(value);
}

/** Adds `offers` and `agreements` to the `wallet` command. */
export function addAgreementCommands(wallet: Command, kit: AgreementCommandKit): void {
  const { action, open, readArgument } = kit;
  const group = (name: string, description: string) => wallet.command(name).description(description);
  const sub = (parent: Command, name: string, description: string) =>
    parent
      .command(name)
      .description(description)
      .requiredOption('--service <url>', 'the trust service (its PUBLIC_URL)')
      .option('--wallet <dir>', 'the wallet directory', kit.defaultDir)
      .option('--passphrase-file <path>', 'a file holding the passphrase (else WALLET_PASSPHRASE)')
      .option('--token <token>', 'a connector access token of scope agreements (else the wallet gets one)')
      .addHelpText('after', kit.help);

  /** The client, with the token given or one fetched once with the wallet's key. */
  const client = (options: Common, holder?: Wallet) => {
    const service = new ServiceClient(options.service);
    let token: Promise<string> | undefined;
    return new AgreementsClient(service, () => {
      if (options.token !== undefined) return Promise.resolve(options.token);
      token ??= (async () => {
        const member = holder ?? (await open(options));
        return (
          await requestConnectorToken({ wallet: member, service: options.service, scopes: ['agreements'] })
        ).accessToken;
      })();
      return token;
    });
  };

  const offers = group('offers', 'ODRL offers: publish (the provider), list and show (anyone).');
  sub(
    offers,
    'publish',
    "Publish an ODRL Offer as this wallet's member (the provider), or a new version of one.",
  )
    .requiredOption('--policy <json|@file>', 'the ODRL Offer')
    .option('--offer <id>', 'publish a new version of this offer')
    .action(
      action(async (options: Common & { policy: string; offer?: string }) => {
        printJson(
          await client(options).publishOffer(json('--policy', options.policy, readArgument), options.offer),
        );
      }),
    );
  sub(offers, 'list', 'List the latest version of each offer (public; no passphrase needed).')
    .option('--provider <did>', "only this provider's offers")
    .option('--target <iri>', 'only offers for this target')
    .option('--limit <n>', 'at most this many (1 to 100)')
    .option('--after <id>', 'the `next` of the previous page')
    .action(
      action(
        async (options: Common & { provider?: string; target?: string; limit?: string; after?: string }) => {
          const limit = whole('--limit', options.limit);
          printJson(
            await client(options).listOffers({
              ...(options.provider ? { provider: options.provider } : {}),
              ...(options.target ? { target: options.target } : {}),
              ...(options.after ? { after: options.after } : {}),
              ...(limit === undefined ? {} : { limit }),
            }),
          );
        },
      ),
    );
  sub(offers, 'show', 'Show an offer: its latest version and every version (public).')
    .argument('<id>', 'the offer id')
    .action(
      action(async (id: string, options: Common) => {
        printJson(await client(options).offer(id));
      }),
    );

  const agreements = group(
    'agreements',
    'Data-sharing agreements: propose, sign, terminate, show, list, check, and the credential.',
  );
  sub(
    agreements,
    'propose',
    'Accept an offer (as the consumer), or register an agreement concluded elsewhere.',
  )
    .option('--offer <id>', 'the offer to accept')
    // Not --version: the program's own --version would print the package version.
    .option('--offer-version <n>', 'the offer version read (default: the latest)')
    .option('--policy <json|@file>', 'an ODRL Agreement within the offer (narrowed terms)')
    .option('--agreement <json|@file>', 'an ODRL Agreement concluded elsewhere (assigner and assignee DIDs)')
    .option('--ends-at <date-time>', 'when the agreement ends (RFC 3339)')
    .option('--idempotency-key <key>', 'makes a retry answer the first proposal')
    .action(
      action(
        async (
          options: Common & {
            offer?: string;
            offerVersion?: string;
            policy?: string;
            agreement?: string;
            endsAt?: string;
          },
        ) => {
          const version = whole('--offer-version', options.offerVersion);
          printJson(
            await client(options).propose({
              ...(options.offer === undefined ? {} : { offer: options.offer }),
              ...(version === undefined ? {} : { version }),
              ...(options.policy === undefined
                ? {}
                : { policy: json('--policy', options.policy, readArgument) }),
              ...(options.agreement === undefined
                ? {}
                : { agreement: json('--agreement', options.agreement, readArgument) }),
              ...(options.endsAt === undefined ? {} : { endsAt: options.endsAt }),
            }),
          );
        },
      ),
    );
  sub(agreements, 'sign', "Sign an agreement's terms (after checking their hash) as this party.")
    .argument('<id>', 'the agreement id')
    .action(
      action(async (id: string, options: Common) => {
        const holder = await open(options);
        printJson(await client(options, holder).sign(holder, id));
      }),
    );
  sub(agreements, 'terminate', 'Terminate an agreement (signed, with a reason) as this party.')
    .argument('<id>', 'the agreement id')
    .requiredOption('--reason <text>', 'why (1 to 2000 characters)')
    .action(
      action(async (id: string, options: Common & { reason: string }) => {
        const holder = await open(options);
        printJson(await client(options, holder).terminate(holder, id, options.reason));
      }),
    );
  sub(agreements, 'show', 'Show an agreement: status, terms and hash, signatures (parties only).')
    .argument('<id>', 'the agreement id')
    .action(
      action(async (id: string, options: Common) => {
        printJson(await client(options).agreement(id));
      }),
    );
  sub(agreements, 'list', "List this member's agreements.")
    .addOption(
      new Option('--status <status>', 'only in this state').choices([
        'proposed',
        'active',
        'suspended',
        'terminated',
        'expired',
      ]),
    )
    .option('--limit <n>', 'at most this many (1 to 100)')
    .option('--after <id>', 'the `next` of the previous page')
    .action(
      action(async (options: Common & { status?: string; limit?: string; after?: string }) => {
        const limit = whole('--limit', options.limit);
        printJson(
          await client(options).listAgreements({
            ...(options.status ? { status: options.status } : {}),
            ...(options.after ? { after: options.after } : {}),
            ...(limit === undefined ? {} : { limit }),
          }),
        );
      }),
    );
  sub(agreements, 'check', 'Ask whether an exchange is covered by an agreement, now (exit 0 either way).')
    .option('--agreement <id>', 'the agreement (or give --provider and --target)')
    .option('--provider <did>', 'the provider')
    .option('--consumer <did>', "the consumer (default: this wallet's DID)")
    .option('--target <iri>', 'the dataset or service')
    .requiredOption('--action <action>', 'an ODRL action: use, read, distribute, …')
    .option('--purpose <dpv>', 'a DPV purpose, e.g. dpv:ServiceProvision')
    .option('--spatial <code>', 'where (NUTS, LAU, ISO 3166)')
    .option('--recipient <did>', 'the member the data goes to')
    .option('--at <date-time>', 'when (default: now)')
    .option('--record', 'count this exchange as one use when permitted')
    .action(
      action(
        async (
          options: Common & {
            agreement?: string;
            provider?: string;
            consumer?: string;
            target?: string;
            action: string;
            purpose?: string;
            spatial?: string;
            recipient?: string;
            at?: string;
            record?: boolean;
          },
        ) => {
          const pick = [
            'agreement',
            'provider',
            'consumer',
            'target',
            'purpose',
            'spatial',
            'recipient',
            'at',
          ] as const;
          const question: Record<string, unknown> = { action: options.action };
          for (const name of pick) if (options[name] !== undefined) question[name] = options[name];
          if (options.record) question.record = true;
          printJson(await client(options).check(question as { action: string }));
        },
      ),
    );
  sub(
    agreements,
    'credential',
    "Download this party's DataSharingAgreementCredential and store it in the wallet.",
  )
    .argument('<id>', 'the agreement id')
    .action(
      action(async (id: string, options: Common) => {
        const holder = await open(options);
        const { credential, stored } = await client(options, holder).credential(holder, id);
        const { jwt: _jwt, ...summary } = stored;
        printJson({ ...summary, jwt: credential });
      }),
    );
}
