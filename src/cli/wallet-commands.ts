/**
 * `dataspace-trust wallet ...`: the holder wallet (src/wallet) for organisations and board
 * members without a wallet of their own. It works without the service's configuration: the
 * wallet is a directory, the service a URL. Results are JSON on stdout (`connector-token` prints
 * the bare access token unless `--json`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { createDidResolver } from '../did/index.js';
import {
  createWallet,
  DID_METHODS,
  type DidMethod,
  inspectWallet,
  isOfType,
  MOTION_KINDS,
  type MotionKind,
  openWallet,
  parseLoginUrl,
  receiveByAuthorization,
  receiveCredential,
  requestConnectorToken,
  resolveOffer,
  ServiceClient,
  ServiceError,
  type StoredCredential,
  VOTE_DECISIONS,
  type VoteDecision,
  WALLET_ALGORITHMS,
  type Wallet,
  type WalletAlgorithm,
  WalletError,
  walletLogin,
} from '../wallet/index.js';
import { systemBrowser } from '../wallet/open-browser.js';
import { printedOffer } from './offer-output.js';
import { addAgreementCommands } from './wallet-agreement-commands.js';
import { confirmSigning } from './wallet-signing.js';
import { printJson } from './with-service.js';

/** What the wallet commands take from the environment; read by src/main.ts, never here. */
export interface WalletCliEnvironment {
  /** `WALLET_PASSPHRASE`. */
  readonly passphrase?: string | undefined;
  /** `BROWSER`: the command `wallet login` opens a same-device redirect with (else the system opener). */
  readonly browser?: string | undefined;
}

export type WalletEnvironmentSource = () => WalletCliEnvironment;

const DEFAULT_DIR = './wallet';

interface CommonOptions {
  readonly wallet: string;
  readonly passphraseFile?: string;
}

const HELP = `
The wallet is a directory (default ${DEFAULT_DIR}) holding the DID, its private key encrypted
with a passphrase (scrypt + AES-256-GCM, files mode 0600) and the stored credentials.

The passphrase comes from --passphrase-file <path> (the file's content without its final
newline) or, when that is not given, from the environment variable WALLET_PASSPHRASE.
"wallet show" and "wallet list" need no passphrase.

Errors name a stable code, e.g. "wrong_passphrase", or the trust service's problem code.`;

function readArgument(value: string): string {
  return value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
}

function passphrase(options: CommonOptions, environment: WalletEnvironmentSource): string {
  if (options.passphraseFile !== undefined)
    return readFileSync(options.passphraseFile, 'utf8').replace(/\r?\n$/, '');
  const fromEnvironment = environment().passphrase;
  if (fromEnvironment !== undefined && fromEnvironment.length > 0) return fromEnvironment;
  throw new WalletError(
    'invalid_argument',
    'a passphrase is needed: --passphrase-file <path> or WALLET_PASSPHRASE',
  );
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function parseDate(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new WalletError('invalid_argument', `${name} is not a date: ${value}`);
  return date;
}

function readClaims(value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readArgument(value));
  } catch {
    throw new WalletError('invalid_argument', '--claims must be JSON (or @file holding JSON)');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new WalletError('invalid_argument', '--claims must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** A JWT given as such, as @file, or as the JSON that `wallet issue` prints (its `jwt` member). */
function readJwt(value: string): string {
  const text = readArgument(value).trim();
  if (!text.startsWith('{')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WalletError('invalid_credential', 'neither a JWT nor JSON holding one');
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  const jwt = record.jwt ?? record.credential;
  if (typeof jwt !== 'string')
    throw new WalletError('invalid_credential', 'the JSON has no "jwt" or "credential" string');
  return jwt;
}

function summary(credential: StoredCredential, withJwt = false): Omit<StoredCredential, 'jwt'> {
  if (withJwt) return credential;
  const { jwt: _jwt, ...rest } = credential;
  return rest;
}

/** Runs an action; a typed error leaves as one line that starts with its code. */
function action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await run(...args);
    } catch (error) {
      if (error instanceof WalletError || error instanceof ServiceError) {
        const status = error instanceof ServiceError && error.status > 0 ? ` (HTTP ${error.status})` : '';
        throw Object.assign(new Error(`${error.code}${status}: ${error.message}`, { cause: error }), {
          errors: error instanceof WalletError ? error.errors : [],
        });
      }
      throw error;
    }
  };
}

export function walletCommands(environment: WalletEnvironmentSource = () => ({})): Command {
  const wallet = new Command('wallet')
    .description(
      'A holder wallet: a DID with an encrypted key, credentials, and the signed requests of members and board.',
    )
    .addHelpText('after', HELP);

  /** A subcommand with --wallet and --passphrase-file. */
  const command = (name: string, description: string): Command =>
    wallet
      .command(name)
      .description(description)
      .option('--wallet <dir>', 'the wallet directory', DEFAULT_DIR)
      .option('--passphrase-file <path>', 'a file holding the passphrase (else WALLET_PASSPHRASE)')
      .addHelpText('after', HELP);

  const open = (options: CommonOptions): Promise<Wallet> =>
    openWallet({ dir: options.wallet, passphrase: passphrase(options, environment) });

  command('create', 'Create a wallet with a new key and DID; prints the DID.')
    .addOption(new Option('--method <method>', 'the DID method').choices(DID_METHODS).default('did:key'))
    .addOption(
      new Option('--alg <alg>', 'the key: EdDSA (Ed25519) or ES256 (P-256)')
        .choices(WALLET_ALGORITHMS)
        .default('EdDSA'),
    )
    .action(
      action(async (options: CommonOptions & { method: DidMethod; alg: WalletAlgorithm }) => {
        const created = await createWallet({
          dir: options.wallet,
          passphrase: passphrase(options, environment),
          method: options.method,
          algorithm: options.alg,
        });
        printJson({
          did: created.did,
          kid: created.kid,
          method: created.method,
          algorithm: created.algorithm,
          dir: options.wallet,
        });
      }),
    );

  command(
    'show',
    'Print the DID, its document and how many credentials are stored (no passphrase needed).',
  ).action(
    action(async (options: CommonOptions) => {
      const { credentials, ...identity } = inspectWallet({ dir: options.wallet });
      printJson({ ...identity, credentials: credentials.length });
    }),
  );

  command('issue', "Issue a credential signed by the wallet's DID (as an issuer, e.g. a business register).")
    .requiredOption('--type <type>', 'the credential type, e.g. LegalPersonCredential')
    .requiredOption('--subject <did>', 'the subject DID')
    .option('--claims <json|@file>', 'the subject claims, as a JSON object or @path to a file')
    .addOption(
      new Option('--format <format>', 'encoding').choices(['vc+jwt', 'jwt_vc_json']).default('vc+jwt'),
    )
    .option('--valid-from <date>', 'start of validity (ISO 8601; default now)')
    .option('--valid-until <date>', 'end of validity (ISO 8601)')
    .action(
      action(
        async (
          options: CommonOptions & {
            type: string;
            subject: string;
            claims?: string;
            format: 'vc+jwt' | 'jwt_vc_json';
            validFrom?: string;
            validUntil?: string;
          },
        ) => {
          const issuer = await open(options);
          const validFrom = parseDate('--valid-from', options.validFrom);
          const validUntil = parseDate('--valid-until', options.validUntil);
          const jwt = await issuer.issueCredential({
            type: options.type,
            subject: { ...readClaims(options.claims), id: options.subject },
            format: options.format,
            ...(validFrom ? { validFrom } : {}),
            ...(validUntil ? { validUntil } : {}),
          });
          const [, payload] = jwt.split('.');
          const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8')) as {
            jti: string;
          };
          printJson({
            id: claims.jti,
            type: options.type,
            format: options.format,
            issuer: issuer.did,
            subject: options.subject,
            jwt,
          });
        },
      ),
    );

  command('add', 'Store a credential issued to this wallet.')
    .argument('<jwt>', 'the credential JWT, @file holding it, or @file with the JSON "wallet issue" prints')
    .action(
      action(async (jwt: string, options: CommonOptions) => {
        const holder = await open(options);
        printJson(summary(await holder.addCredential(readJwt(jwt))));
      }),
    );

  command('list', 'List the stored credentials (no passphrase needed).')
    .option(
      '--type <type>',
      'only credentials of this type (an SD-JWT VC: its vct, or the credential type the vct stands for)',
    )
    .option('--jwt', 'include each JWT')
    .action(
      action(async (options: CommonOptions & { type?: string; jwt?: boolean }) => {
        const { credentials } = inspectWallet({ dir: options.wallet });
        const selected =
          options.type === undefined
            ? credentials
            : credentials.filter((c) => isOfType(c, options.type as string));
        printJson(selected.map((credential) => summary(credential, options.jwt === true)));
      }),
    );

  command('present', 'Sign a presentation of stored credentials for a verifier; prints it.')
    .requiredOption('--audience <id>', "the verifier's identifier (aud)")
    .requiredOption('--nonce <challenge>', "the verifier's challenge")
    .option('--types <types>', 'comma-separated credential types to include (default: none)', list)
    .action(
      action(async (options: CommonOptions & { audience: string; nonce: string; types?: string[] }) => {
        const holder = await open(options);
        const credentials = (options.types ?? []).flatMap((type) => holder.credentials({ type }));
        const unique = [...new Map(credentials.map((c) => [c.jwt, c])).values()];
        printJson({
          presentation: await holder.presentation({
            audience: options.audience,
            nonce: options.nonce,
            credentials: unique,
          }),
        });
      }),
    );

  command('apply', 'Apply for membership: a presentation of the application and the evidence credentials.')
    .requiredOption('--service <url>', 'the trust service, e.g. https://trust.city.example')
    .requiredOption(
      '--roles <roles>',
      'comma-separated: data-provider, data-consumer, service-provider, public-authority',
      list,
    )
    .requiredOption('--legal-name <name>', 'the legal name')
    .requiredOption('--registration-number <number>', 'the business register number')
    .requiredOption('--country <code>', 'ISO 3166-1 alpha-2 country code')
    .requiredOption('--email <email>', 'contact email')
    .option('--contact-name <name>', 'contact person')
    .option('--phone <phone>', 'contact phone')
    .option(
      '--evidence-types <types>',
      'comma-separated types of stored credentials to present (default LegalPersonCredential)',
      list,
    )
    .action(
      action(
        async (
          options: CommonOptions & {
            service: string;
            roles: string[];
            legalName: string;
            registrationNumber: string;
            country: string;
            email: string;
            contactName?: string;
            phone?: string;
            evidenceTypes?: string[];
          },
        ) => {
          const applicant = await open(options);
          const receipt = await new ServiceClient(options.service).apply({
            wallet: applicant,
            roles: options.roles,
            legalName: options.legalName,
            registrationNumber: options.registrationNumber,
            country: options.country,
            contact: {
              email: options.email,
              ...(options.contactName !== undefined ? { name: options.contactName } : {}),
              ...(options.phone !== undefined ? { phone: options.phone } : {}),
            },
            ...(options.evidenceTypes !== undefined ? { evidenceTypes: options.evidenceTypes } : {}),
          });
          printJson(receipt);
        },
      ),
    );

  command('fetch-membership', 'Collect the MembershipCredential of an admitted application and store it.')
    .requiredOption('--service <url>', 'the trust service')
    .requiredOption('--application <id>', 'the application id')
    .action(
      action(async (options: CommonOptions & { service: string; application: string }) => {
        const member = await open(options);
        const { stored } = await new ServiceClient(options.service).fetchMembershipCredential(
          member,
          options.application,
        );
        printJson(summary(stored));
      }),
    );

  command('vote', 'Cast a signed vote on a motion (board members).')
    .requiredOption('--service <url>', 'the trust service')
    .requiredOption('--motion <id>', 'the motion id')
    .addOption(new Option('--decision <decision>', 'the vote').choices(VOTE_DECISIONS).makeOptionMandatory())
    .option('--reason <text>', 'why')
    .action(
      action(
        async (
          options: CommonOptions & {
            service: string;
            motion: string;
            decision: VoteDecision;
            reason?: string;
          },
        ) => {
          const member = await open(options);
          printJson(
            await new ServiceClient(options.service).castVote({
              wallet: member,
              motion: options.motion,
              decision: options.decision,
              ...(options.reason !== undefined ? { reason: options.reason } : {}),
            }),
          );
        },
      ),
    );

  command('motion', 'Open a signed motion (board members).')
    .requiredOption('--service <url>', 'the trust service')
    .addOption(
      new Option('--kind <kind>', 'what the motion does').choices(MOTION_KINDS).makeOptionMandatory(),
    )
    .requiredOption('--subject <subject>', "the member's DID, or the rulebook version for amend-rulebook")
    .requiredOption('--reason <text>', 'why')
    .option('--name <name>', 'the new board member (add-board-member)')
    .action(
      action(
        async (
          options: CommonOptions & {
            service: string;
            kind: MotionKind;
            subject: string;
            reason: string;
            name?: string;
          },
        ) => {
          const member = await open(options);
          printJson(
            await new ServiceClient(options.service).openMotion({
              wallet: member,
              kind: options.kind,
              subject: options.subject,
              reason: options.reason,
              ...(options.name !== undefined ? { name: options.name } : {}),
            }),
          );
        },
      ),
    );

  command('withdraw', "Withdraw this wallet's DID from membership (signed).")
    .requiredOption('--service <url>', 'the trust service')
    .option('--reason <text>', 'why')
    .action(
      action(async (options: CommonOptions & { service: string; reason?: string }) => {
        const member = await open(options);
        printJson(
          await new ServiceClient(options.service).withdraw({
            wallet: member,
            ...(options.reason !== undefined ? { reason: options.reason } : {}),
          }),
        );
      }),
    );

  command(
    'export-key',
    "Write the wallet's signing key as a private JWK (with kid and alg), for an app that signs as this DID (private_key_jwt). Whoever holds it can act as the DID.",
  )
    .requiredOption('--out <file>', 'the file to create (mode 0600; an existing file is not overwritten)')
    .action(
      action(async (options: CommonOptions & { out: string }) => {
        const holder = await open(options);
        try {
          writeFileSync(options.out, `${JSON.stringify(holder.exportPrivateJwk())}\n`, {
            mode: 0o600,
            flag: 'wx',
          });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST')
            throw new WalletError('invalid_argument', `${options.out} exists: not overwritten`);
          throw error;
        }
        printJson({ did: holder.did, kid: holder.kid, algorithm: holder.algorithm, file: options.out });
      }),
    );

  command(
    'connector-token',
    "Get an access token for this member's connector (client credentials, private_key_jwt with the wallet's DID key); prints the token.",
  )
    .requiredOption('--service <url>', 'the trust service (its PUBLIC_URL)')
    .requiredOption(
      '--scope <scopes>',
      'comma- or space-separated connector scopes: notices, consents:check, events, agreements',
    )
    .option(
      '--json',
      'print the token response as JSON (access_token, token_type, expires_in, expires_at, scope)',
    )
    .action(
      action(async (options: CommonOptions & { service: string; scope: string; json?: boolean }) => {
        const member = await open(options);
        const scopes = options.scope.split(/[\s,]+/).filter((scope) => scope.length > 0);
        if (scopes.length === 0) throw new WalletError('invalid_argument', '--scope names no scope');
        const token = await requestConnectorToken({ wallet: member, service: options.service, scopes });
        if (!options.json) {
          // The bare token, for `TOKEN=$(dataspace-trust wallet connector-token ...)`.
          process.stdout.write(`${token.accessToken}\n`);
          return;
        }
        printJson({
          access_token: token.accessToken,
          token_type: token.tokenType,
          expires_in: token.expiresIn,
          expires_at: token.expiresAt,
          scope: token.scopes.join(' '),
        });
      }),
    );

  command(
    'credential-offer',
    'Ask for an OpenID4VCI offer of the MembershipCredential of an admitted application (for this or another wallet); prints its links and transaction code.',
  )
    .requiredOption('--service <url>', 'the trust service')
    .requiredOption('--application <id>', 'the application id')
    .action(
      action(async (options: CommonOptions & { service: string; application: string }) => {
        const member = await open(options);
        const offer = await new ServiceClient(options.service).membershipCredentialOffer(
          member,
          options.application,
        );
        // The client checked the links, credentialOfferUri and expiresAt.
        const links = offer.links as { byReference: string; byValue: string };
        printJson(
          printedOffer({
            credentialOfferUri: offer.credentialOfferUri as string,
            byReference: links.byReference,
            byValue: links.byValue,
            ...(typeof offer.txCode === 'string' ? { txCode: offer.txCode } : {}),
            expiresAt: offer.expiresAt as string,
          }),
        );
      }),
    );

  command(
    'receive',
    'Receive credentials through OpenID4VCI 1.0: from an offer (pre-authorized code with its transaction code), or with --authorize through the authorization code grant, where the wallet proves membership with its own login; proves the wallet key and stores them.',
  )
    .argument('[url]', 'the openid-credential-offer:// link or QR code content of the offer')
    .option('--tx-code <code>', 'the transaction code given with the offer')
    .option(
      '--configuration <id>',
      'the credential configuration to ask for (default: the first jwt_vc_json one; e.g. MembershipCredential_dc+sd-jwt)',
    )
    .option(
      '--authorize',
      "use the authorization code grant (the offer's issuer_state, or --issuer without an offer): prints the authorization URL and logs in with the wallet's MembershipCredential",
    )
    .option('--issuer <url>', 'with --authorize and no offer: the credential issuer (the service PUBLIC_URL)')
    .action(
      action(
        async (
          url: string | undefined,
          options: CommonOptions & {
            txCode?: string;
            configuration?: string;
            authorize?: boolean;
            issuer?: string;
          },
        ) => {
          const holder = await open(options);
          if (options.authorize) {
            const issuer = options.issuer ?? (url ? undefined : '');
            if (issuer === '')
              throw new WalletError('invalid_argument', 'with --authorize, give an offer URL or --issuer');
            const target = new URL(issuer ?? (await resolveOffer(url as string)).credential_issuer);
            const loopback =
              target.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(target.hostname);
            printJson(
              await receiveByAuthorization(holder, {
                ...(url !== undefined ? { offerUrl: url } : {}),
                ...(issuer !== undefined ? { issuer } : {}),
                ...(options.configuration !== undefined ? { configurationId: options.configuration } : {}),
                resolver: createDidResolver({ developmentMode: loopback }),
                onAuthorizationUrl: (at) => process.stderr.write(`Authorization request: ${at}\n`),
              }),
            );
            return;
          }
          if (url === undefined)
            throw new WalletError('invalid_argument', 'give the offer URL (or use --authorize)');
          printJson(
            await receiveCredential(holder, url, {
              ...(options.txCode !== undefined ? { txCode: options.txCode } : {}),
              ...(options.configuration !== undefined ? { configurationId: options.configuration } : {}),
            }),
          );
        },
      ),
    );

  command(
    'login',
    'Log in at a verifier (OpenID4VP 1.0): present matching credentials for an openid4vp:// URL. A request that asks the wallet to sign transaction data (a membership application, a board vote) shows the decoded data on stderr first.',
  )
    .argument(
      '<url>',
      'the openid4vp://?client_id=...&request_uri=... link or QR code content of the login page',
    )
    .option(
      '--sign-transaction-data',
      'sign the transaction data shown without asking (else: asked on a terminal, declined otherwise)',
    )
    .option(
      '--no-open',
      'same-device: print the redirectUri instead of opening it in the browser ($BROWSER, else the system opener)',
    )
    .action(
      action(
        async (url: string, options: CommonOptions & { signTransactionData?: boolean; open: boolean }) => {
          const holder = await open(options);
          // http (and a did:web on a loopback host) only when the verifier itself is on loopback.
          const requestUri = new URL(parseLoginUrl(url).requestUri);
          const loopback =
            requestUri.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(requestUri.hostname);
          const browser = systemBrowser({ browser: environment().browser });
          let failedToOpen: Error | undefined;
          const result = await walletLogin(holder, url, {
            resolver: createDidResolver({ developmentMode: loopback }),
            confirmTransactionData: (items) => confirmSigning(items, options.signTransactionData === true),
            // Same-device (the link of the login page): the browser that started the login finishes it.
            ...(options.open
              ? {
                  openInBrowser: (redirect: string) =>
                    browser(redirect).catch((error: Error) => {
                      failedToOpen = error;
                    }),
                }
              : {}),
          });
          if (failedToOpen && result.redirectUri) {
            process.stderr.write(
              `dataspace-trust: ${failedToOpen.message}; open this address in the browser where the login started: ${result.redirectUri}\n`,
            );
            printJson({ ...result, opened: false });
            return;
          }
          printJson(result);
        },
      ),
    );

  addAgreementCommands(wallet, { defaultDir: DEFAULT_DIR, help: HELP, open, action, readArgument });

  return wallet;
}
