/**
 * SD-JWT VC verification (`dc+sd-jwt`), the pipeline's third format: the same named checks,
 * the same `{verified, checks}` answer, failing closed. For a credential: `format`,
 * `signature`, `disclosures`, `validity`, `trusted_issuer`, `status`, `schema`; the first five
 * must pass. `trusted_issuer`, `status` and `schema` read the claims after disclosure and run
 * only once the signature and disclosures passed (nothing unauthenticated is acted upon), and
 * `status` only for a trusted issuer (an untrusted one never makes the service fetch).
 */
import type { FetchBudget } from '../../did/index.js';
import { checkTrustedIssuer } from '../verify/checks/trusted-issuer.js';
import { checkValidity } from '../verify/checks/validity.js';
import {
  type CheckName,
  type CheckResult,
  type CredentialVerificationResult,
  failed,
  isVerified,
  skipped,
} from '../verify/result.js';
import type { CredentialVerifierDeps } from '../verify/verify-credential.js';
import { checkDisclosures } from './checks/disclosures.js';
import { checkIssuerJwtFormat, checkIssuerSignature } from './checks/issuer-signature.js';
import { checkSdJwtSchema } from './checks/schema.js';
import { checkTokenStatus } from './checks/token-status.js';
import { type ParsedSdJwt, parseSdJwt, SdJwtFormatError } from './compact.js';
import type { IssuerKeys } from './issuer-metadata.js';
import type { TokenStatusLookup } from './token-status-list.js';
import type { VctRegistry } from './vct.js';

/** What SD-JWT VC verification adds to the pipeline's dependencies. */
export interface SdJwtVerifierDeps {
  readonly vcts: VctRegistry;
  readonly tokenStatuses: TokenStatusLookup;
  /** Keys of issuers named by an https URL (`/.well-known/jwt-vc-issuer`); without it they are `unsupported_issuer`. */
  readonly issuerKeys?: IssuerKeys;
}

export const SD_JWT_CREDENTIAL_CHECKS: readonly CheckName[] = [
  'format',
  'signature',
  'disclosures',
  'validity',
  'trusted_issuer',
  'status',
  'schema',
];
const REQUIRED: readonly CheckName[] = ['format', 'signature', 'disclosures', 'validity', 'trusted_issuer'];

type Deps = Omit<CredentialVerifierDeps, 'sdJwt'> & { readonly sdJwt: SdJwtVerifierDeps };

/** Parses the compact form; a parse failure is the `format` check's. */
export function parseForVerification(token: string): { parsed?: ParsedSdJwt; result?: CheckResult } {
  try {
    return { parsed: parseSdJwt(token) };
  } catch (error) {
    if (error instanceof SdJwtFormatError) return { result: failed('format', error.code, error.message) };
    throw error;
  }
}

async function guarded(check: CheckName, run: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await run();
  } catch {
    return failed(check, 'internal_error', 'the check could not be completed; try again later');
  }
}

/**
 * Verifies the issuer-signed part of an SD-JWT VC and its disclosures. A KB-JWT is refused
 * here (`presentation_expected`): a key-bound SD-JWT is a presentation and is verified with
 * its nonce and audience by verifySdJwtPresentation.
 */
export async function verifySdJwtCredential(
  token: string,
  deps: Deps,
  budget: FetchBudget,
  options: { readonly allowKeyBinding?: boolean; readonly parsed?: ParsedSdJwt } = {},
): Promise<CredentialVerificationResult> {
  const checks: CheckResult[] = [];
  const { parsed, result } = options.parsed
    ? { parsed: options.parsed, result: undefined }
    : parseForVerification(token);
  if (!parsed) return finish([result as CheckResult], undefined);
  if (parsed.kbJwt !== undefined && options.allowKeyBinding !== true)
    return finish(
      [
        failed(
          'format',
          'presentation_expected',
          'an SD-JWT with a key binding JWT is verified as a presentation',
        ),
      ],
      undefined,
    );
  const format = checkIssuerJwtFormat(parsed.jws);
  checks.push(format);
  if (format.result !== 'passed') return finish(checks, undefined);
  const payload = parsed.jws.payload;
  const issuer = payload.iss as string;
  const vct = payload.vct as string;
  const signature = await guarded('signature', () =>
    checkIssuerSignature(parsed.jws, deps.keys, {
      budget,
      es256LowSOnly: deps.es256LowSOnly === true,
      ...(deps.sdJwt.issuerKeys ? { issuerKeys: deps.sdJwt.issuerKeys } : {}),
    }),
  );
  checks.push(signature);
  const disclosed = checkDisclosures(payload, parsed.disclosures);
  checks.push(disclosed.result);
  const claims = disclosed.claims;
  const now = deps.now();
  checks.push(
    checkValidity(
      { exp: claims?.exp ?? payload.exp, nbf: payload.nbf, iat: claims?.iat ?? payload.iat },
      now,
      {
        ...(deps.clockSkewSeconds !== undefined ? { skewSeconds: deps.clockSkewSeconds } : {}),
      },
    ),
  );
  const summary = { issuer, vct };
  if (signature.result !== 'passed' || claims === undefined) {
    checks.push(
      skipped('trusted_issuer', 'not_evaluated'),
      skipped('status', 'not_evaluated'),
      skipped('schema', 'not_evaluated'),
    );
    return finish(checks, summary);
  }
  const known = deps.sdJwt.vcts.byVct(vct);
  const types = known ? ['VerifiableCredential', known.type] : [];
  const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
  const trusted = known
    ? await guarded('trusted_issuer', () =>
        checkTrustedIssuer(deps.trust, {
          issuer,
          // SD-JWT VC §3.2.2.2: `iss` may be an https URL, trusted where an anchor names it.
          httpsIssuerAllowed: true,
          types,
          // The data-model view the registry's claim constraints read (`credentialSubject.x`).
          credential: {
            type: types,
            issuer,
            credentialSubject: { ...claims, ...(subject ? { id: subject } : {}) },
          },
          at: now,
        }),
      )
    : failed('trusted_issuer', 'unknown_vct', `the data space defines no credential type for vct ${vct}`);
  checks.push(trusted);
  checks.push(
    trusted.result === 'passed'
      ? await guarded('status', () =>
          checkTokenStatus(claims.status, issuer, deps.sdJwt.tokenStatuses, budget, deps.statuses),
        )
      : skipped('status', 'issuer_not_trusted', 'no status list is read for an issuer that is not trusted'),
  );
  checks.push(checkSdJwtSchema(known, claims));
  return finish(checks, { ...summary, types, claims, ...(subject ? { subject } : {}) });
}

interface Summary {
  readonly issuer: string;
  readonly vct: string;
  readonly subject?: string;
  readonly types?: readonly string[];
  readonly claims?: Readonly<Record<string, unknown>>;
}

function finish(checks: CheckResult[], summary: Summary | undefined): CredentialVerificationResult {
  const ran = new Set(checks.map((c) => c.check));
  for (const name of SD_JWT_CREDENTIAL_CHECKS)
    if (!ran.has(name)) checks.push(skipped(name, 'not_evaluated'));
  const verified = isVerified(checks, REQUIRED);
  return {
    verified,
    format: 'dc+sd-jwt',
    ...(summary
      ? {
          issuer: summary.issuer,
          vct: summary.vct,
          ...(summary.subject !== undefined ? { subject: summary.subject } : {}),
          ...(summary.types !== undefined ? { types: summary.types } : {}),
          ...(summary.claims !== undefined ? { claims: summary.claims } : {}),
        }
      : {}),
    checks,
  };
}
