import { DEFAULT_FETCH_BUDGET, type FetchBudget, fetchBudget } from '../../did/index.js';
import type { SdJwtVerifierDeps } from '../sd-jwt/verify-sd-jwt.js';
import { verifySdJwtCredential } from '../sd-jwt/verify-sd-jwt.js';
import { checkSchema } from './checks/schema.js';
import { checkSignature } from './checks/signature.js';
import { checkStatus } from './checks/status.js';
import { checkTrustedIssuer } from './checks/trusted-issuer.js';
import { checkValidity } from './checks/validity.js';
import { JwsFormatError, type ParsedJws, parseCompactJws } from './compact-jws.js';
import {
  type CredentialView,
  credentialView,
  isSdJwt,
  ModelError,
  SD_JWT_DETAIL,
  tokenKind,
} from './model.js';
import type { IssuerTrust, KeyLookup, SchemaValidation, StatusLookup } from './ports.js';
import {
  type CheckName,
  type CheckResult,
  type CredentialVerificationResult,
  failed,
  isVerified,
  passed,
  skipped,
} from './result.js';

export interface CredentialVerifierDeps {
  readonly keys: KeyLookup;
  readonly trust: IssuerTrust;
  readonly schemas: SchemaValidation;
  readonly statuses: StatusLookup;
  readonly now: () => Date;
  readonly clockSkewSeconds?: number;
  /**
   * Types a holder may issue about itself (e.g. MembershipApplicationCredential in an
   * application): for a credential whose issuer is its own subject and whose every specific
   * type is listed here, `trusted_issuer` passes with code `self_issued`. Never set on the
   * public verification API.
   */
  readonly selfIssuedTypes?: readonly string[];
  /**
   * Outbound fetches (did:web documents, status lists) one verification request may cause,
   * all its credentials together (default DEFAULT_FETCH_BUDGET).
   */
  readonly fetchBudget?: number;
  /** Refuse ES256 signatures in high-S form (ES256_LOW_S_ONLY); default false: accept both. */
  readonly es256LowSOnly?: boolean;
  /**
   * SD-JWT VC (`dc+sd-jwt`) verification: the vct registry and Token Status List lookup.
   * Without it an SD-JWT fails `format` with `unsupported_format`.
   */
  readonly sdJwt?: SdJwtVerifierDeps;
}

/** A fresh fetch budget for one request under these deps. */
export function requestBudget(deps: Pick<CredentialVerifierDeps, 'fetchBudget'>): FetchBudget {
  return fetchBudget(deps.fetchBudget ?? DEFAULT_FETCH_BUDGET);
}

/** The checks run for a credential, in order; the first four must pass. */
export const CREDENTIAL_CHECKS: readonly CheckName[] = [
  'format',
  'signature',
  'validity',
  'trusted_issuer',
  'status',
  'schema',
];
const REQUIRED: readonly CheckName[] = ['format', 'signature', 'validity', 'trusted_issuer'];

export interface SignedCredential {
  readonly jws: ParsedJws;
  readonly view: CredentialView;
}

/**
 * `format`: a compact JWS whose `typ` and claims make it a credential, VCDM 1.1 JWT or
 * VCDM 2.0 `vc+jwt` (never a presentation, an ID token or any other JWT). Codes `malformed`,
 * `wrong_type`, `unsupported_crit`.
 */
export function checkCredentialFormat(token: unknown): {
  result: CheckResult;
  credential?: SignedCredential;
} {
  if (typeof token !== 'string')
    return { result: failed('format', 'malformed', 'the credential must be a compact JWT string') };
  if (isSdJwt(token)) return { result: failed('format', 'unsupported_format', SD_JWT_DETAIL) };
  try {
    const jws = parseCompactJws(token);
    if (isSdJwt(token, jws.header)) return { result: failed('format', 'unsupported_format', SD_JWT_DETAIL) };
    const kind = tokenKind(jws.header, jws.payload);
    if (kind !== 'jwt_vc_json' && kind !== 'vc+jwt') {
      return {
        result: failed('format', 'wrong_type', 'the token is not a JWT-secured verifiable credential'),
      };
    }
    return { result: passed('format'), credential: { jws, view: credentialView(kind, jws.payload) } };
  } catch (error) {
    if (error instanceof JwsFormatError || error instanceof ModelError) {
      return { result: failed('format', error.code, error.message) };
    }
    throw error;
  }
}

/**
 * Verifies a credential: every check named in CREDENTIAL_CHECKS, failing closed. Never throws
 * for bad input; an unexpected error inside a check fails that check with `internal_error`
 * (without the error's message, which may name internals such as a database address).
 *
 * `status` runs only once `trusted_issuer` passed: the lists a credential names are fetched
 * for an issuer trusted for its types, never for anyone who can sign (a throw-away did:key
 * naming hundreds of lists costs no network work). For any other issuer `status` is skipped
 * with `issuer_not_trusted`; the credential is not verified anyway. A self-issued credential
 * (`trusted_issuer` passed as `self_issued`) is signed by a key anyone can make, so its
 * `status` is skipped with `self_issued`: no list it names is ever fetched. `budget` bounds the
 * outbound fetches of the whole request (a presentation passes one for all its credentials).
 */
export async function verifyCredential(
  token: unknown,
  deps: CredentialVerifierDeps,
  budget: FetchBudget = requestBudget(deps),
): Promise<CredentialVerificationResult> {
  if (typeof token === 'string' && isSdJwt(token) && deps.sdJwt)
    return verifySdJwtCredential(token, { ...deps, sdJwt: deps.sdJwt }, budget);
  const now = deps.now();
  const checks: CheckResult[] = [];
  const format = checkCredentialFormat(token);
  checks.push(format.result);
  const credential = format.credential;
  if (!credential) return finish(checks, undefined);
  const { jws, view } = credential;

  const signature = await guarded('signature', () =>
    checkSignature(
      jws,
      {
        signer: view.issuer,
        signerClaims: view.issuerClaims,
        subjectClaims: view.subjectClaims,
      },
      'assertionMethod',
      deps.keys,
      { budget, es256LowSOnly: deps.es256LowSOnly === true },
    ),
  );
  checks.push(signature);
  checks.push(
    checkValidity({ ...view.jwt, ...view.dates }, now, {
      ...(deps.clockSkewSeconds !== undefined ? { skewSeconds: deps.clockSkewSeconds } : {}),
    }),
  );
  if (signature.result !== 'passed' || view.issuer === undefined) {
    // Nothing an unauthenticated token says about its issuer may be acted upon.
    checks.push(
      skipped('trusted_issuer', 'not_evaluated'),
      skipped('status', 'not_evaluated'),
      skipped('schema', 'not_evaluated'),
    );
    return finish(checks, view);
  }
  const issuer = view.issuer;
  const specific = view.types.filter((type) => type !== 'VerifiableCredential');
  const selfIssued =
    deps.selfIssuedTypes !== undefined &&
    view.subject === issuer &&
    specific.length > 0 &&
    specific.every((type) => deps.selfIssuedTypes?.includes(type));
  const trusted: CheckResult = selfIssued
    ? { check: 'trusted_issuer', result: 'passed', code: 'self_issued' }
    : await guarded('trusted_issuer', () =>
        checkTrustedIssuer(deps.trust, { issuer, types: view.types, credential: view.document, at: now }),
      );
  checks.push(trusted);
  checks.push(
    selfIssued
      ? // Anyone can mint a did:key and issue about itself: its lists are worth no network work.
        skipped('status', 'self_issued', 'no status list is read for a self-issued credential')
      : trusted.result === 'passed'
        ? await guarded('status', () => checkStatus(view.credentialStatus, issuer, deps.statuses, budget))
        : skipped(
            'status',
            'issuer_not_trusted',
            'no status list is read for an issuer that is not trusted for this credential',
          ),
  );
  checks.push(await guarded('schema', async () => checkSchema(deps.schemas, view.types, view.document)));
  return finish(checks, view);
}

/**
 * Runs one check; an unexpected error fails it with `internal_error` and a fixed detail. The
 * error's own message never reaches the answer: during a database outage it names the
 * database's address, which is nobody's business outside the service.
 */
export async function guarded(check: CheckName, run: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await run();
  } catch {
    return failed(check, 'internal_error', 'the check could not be completed; try again later');
  }
}

function finish(checks: CheckResult[], view: CredentialView | undefined): CredentialVerificationResult {
  const ran = new Set(checks.map((c) => c.check));
  for (const name of CREDENTIAL_CHECKS) if (!ran.has(name)) checks.push(skipped(name, 'not_evaluated'));
  return {
    verified: isVerified(checks, REQUIRED),
    ...(view
      ? {
          format: view.format,
          ...(view.issuer !== undefined ? { issuer: view.issuer } : {}),
          ...(view.subject !== undefined ? { subject: view.subject } : {}),
          ...(view.id !== undefined ? { id: view.id } : {}),
          types: view.types,
        }
      : {}),
    checks,
  };
}
