import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { terminalQrCode } from '../oid4vci/index.js';
import { printedOffer } from './offer-output.js';
import { changeStatusAsOperator, issueAsOperator } from './operator-actions.js';
import type { ConfigSource } from './program.js';
import { printJson, withService } from './with-service.js';

function readClaims(value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  const parsed = JSON.parse(text) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('--claims must be a JSON object (or @file holding one)');
  }
  return parsed as Record<string, unknown>;
}

function parseDate(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${name} is not a date: ${value}`);
  return date;
}

export function credentialsCommands(config: ConfigSource): Command {
  const credentials = new Command('credentials').description(
    'Issue, verify, revoke, suspend and reinstate credentials.',
  );
  credentials
    .command('offer')
    .description(
      "Make an OpenID4VCI credential offer of an active member's MembershipCredential: prints the openid-credential-offer:// links, a QR code (on stderr) and the transaction code to give the member on another channel.",
    )
    .requiredOption('--member <did>', "the member's DID")
    .option('--configuration <id...>', 'offer only these credential configurations (default: all)')
    .option('--no-tx-code', 'no transaction code (anyone holding the offer can redeem it)')
    .option('--no-qr', 'print no QR code')
    .action((options: { member: string; configuration?: string[]; txCode: boolean; qr: boolean }) =>
      withService(config, async (service) => {
        const offered = await service.oid4vci.offerTo(options.member, {
          txCode: options.txCode,
          ...(options.configuration ? { configurations: options.configuration } : {}),
        });
        if (options.qr) process.stderr.write(await terminalQrCode(offered.byReference));
        printJson(
          printedOffer({
            credentialOfferUri: offered.offerUri,
            byReference: offered.byReference,
            byValue: offered.byValue,
            ...(offered.txCode ? { txCode: offered.txCode } : {}),
            expiresAt: offered.expiresAt,
          }),
        );
      }),
    );
  credentials
    .command('issue')
    .description('Issue a credential signed by the service DID; prints its id and JWT as JSON.')
    .requiredOption('--type <type>', 'a credential type the data space defines (see /api/v1/schemas)')
    .requiredOption('--subject <did>', 'the subject DID')
    .option('--claims <json|@file>', 'the subject claims, as a JSON object or @path to a file')
    .addOption(
      new Option('--format <format>', 'encoding').choices(['vc+jwt', 'jwt_vc_json']).default('vc+jwt'),
    )
    .addOption(new Option('--alg <alg>', 'signature algorithm').choices(['EdDSA', 'ES256']).default('EdDSA'))
    .option('--valid-from <date>', 'start of validity (ISO 8601; default now)')
    .option('--valid-until <date>', 'end of validity (ISO 8601)')
    .option('--idempotency-key <key>', 'a retry with the same key returns the same credential')
    .option(
      '--force-outside-board',
      'issue a board-decided type (MembershipCredential, BoardMemberCredential) without a board decision; audited as forced',
    )
    .action((options: Record<string, string | boolean | undefined>) =>
      withService(config, async (service) => {
        const validFrom = parseDate('--valid-from', options.validFrom as string | undefined);
        const validUntil = parseDate('--valid-until', options.validUntil as string | undefined);
        const request = {
          type: options.type as string,
          subject: { ...readClaims(options.claims as string | undefined), id: options.subject as string },
          format: options.format as 'vc+jwt' | 'jwt_vc_json',
          algorithm: options.alg as 'EdDSA' | 'ES256',
          ...(validFrom ? { validFrom } : {}),
          ...(validUntil ? { validUntil } : {}),
          ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey as string } : {}),
        };
        const issued = await issueAsOperator(service, request, {
          forceOutsideBoard: options.forceOutsideBoard === true,
        });
        printJson({
          id: issued.id,
          type: issued.type,
          subject: issued.subject,
          format: issued.format,
          jwt: issued.jwt,
        });
      }),
    );
  credentials
    .command('verify')
    .description('Verify a credential JWT with the full pipeline; exit 0 only when verified.')
    .argument('<jwt>', 'the compact JWT (or @file)')
    .action((jwt: string) =>
      withService(config, async (service) => {
        const token = jwt.startsWith('@') ? readFileSync(jwt.slice(1), 'utf8').trim() : jwt;
        const result = await service.credentials.verifyCredential(token);
        printJson(result);
        if (!result.verified) process.exitCode = 1;
      }),
    );
  for (const [name, description] of [
    ['revoke', 'Revoke a credential the service issued (permanent).'],
    ['suspend', 'Suspend a credential the service issued.'],
    ['reinstate', 'Lift the suspension of a credential.'],
  ] as const) {
    credentials
      .command(name)
      .description(description)
      .argument('<id>', 'the credential id (urn:uuid:…)')
      .action((id: string) =>
        withService(config, async (service) => {
          await changeStatusAsOperator(service, name, id);
          printJson({ id, ...(await service.credentials.status.statusOf(id)) });
        }),
      );
  }
  return credentials;
}
