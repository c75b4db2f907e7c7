import { verifySdJwtPresentation } from '../sd-jwt/verify-sd-jwt-presentation.js';
import { checkSignature } from './checks/signature.js';
import { checkValidity } from './checks/validity.js';
import { JwsFormatError, type ParsedJws, parseCompactJws } from './compact-jws.js';
import {
  isSdJwt,
  ModelError,
  type PresentationView,
  presentationView,
  SD_JWT_DETAIL,
  tokenKind,
} from './model.js';
import type { NonceStore } from './ports.js';
import {
  type CheckName,
  type CheckResult,
  type CredentialVerificationResult,
  failed,
  isVerified,
  type PresentationVerificationResult,
  passed,
  skipped,
} from './result.js';
import {
  type CredentialVerifierDeps,
  guarded,
  requestBudget,
  verifyCredential,
} from './verify-credential.js';

export interface PresentationVerifierDeps extends CredentialVerifierDeps {
  readonly nonces: NonceStore;
  /** How old a presentation's `iat` may be. */
  readonly presentationMaxAgeSeconds?: number;
}

export interface PresentationExpectations {
  /** The nonce the verifier gave the holder; the presentation's `nonce` must equal it. */
  readonly challenge: string;
  /** The verifier's identifier; the presentation's `aud` must name it. */
  readonly domain: string;
  /** Where the challenge is consumed; a challenge verifies once per scope. */
  readonly nonceScope?: string;
  /**
   * A presentation that only proves control of the holder DID may hold no credential (the
   * `credentials` and `holder_binding` checks then pass with code `none_presented`).
   */
  readonly allowNoCredentials?: boolean;
}

export const PRESENTATION_MAX_AGE_SECONDS = 300;
export const PRESENTATION_CHECKS: readonly CheckName[] = [
  'format',
  'signature',
  'validity',
  'challenge',
  'domain',
  'credentials',
  'holder_binding',
];
const REQUIRED = PRESENTATION_CHECKS;
const MAX_CREDENTIALS = 20;

function checkFormat(token: unknown): { result: CheckResult; jws?: ParsedJws; view?: PresentationView } {
  if (typeof token !== 'string')
    return { result: failed('format', 'malformed', 'the presentation must be a compact JWT string') };
  if (isSdJwt(token)) return { result: failed('format', 'unsupported_format', SD_JWT_DETAIL) };
  try {
    const jws = parseCompactJws(token);
    if (isSdJwt(token, jws.header)) return { result: failed('format', 'unsupported_format', SD_JWT_DETAIL) };
    const kind = tokenKind(jws.header, jws.payload);
    if (kind !== 'jwt_vp_json' && kind !== 'vp+jwt') {
      return {
        result: failed('format', 'wrong_type', 'the token is not a JWT-secured verifiable presentation'),
      };
    }
    return { result: passed('format'), jws, view: presentationView(kind, jws.payload) };
  } catch (error) {
    if (error instanceof JwsFormatError || error instanceof ModelError)
      return { result: failed('format', error.code, error.message) };
    throw error;
  }
}

/**
 * `domain` (VCDM 1.1 §7.3 / OpenID4VP 1.0 §14.1 replay protection): `aud` names the verifier.
 */
function checkDomain(audience: unknown, domain: string): CheckResult {
  if (audience === undefined) return failed('domain', 'missing_domain', 'the presentation has no aud');
  const audiences = Array.isArray(audience) ? audience : [audience];
  return audiences.includes(domain)
    ? passed('domain')
    : failed('domain', 'domain_mismatch', 'aud does not name this verifier');
}

/**
 * `challenge`: the `nonce` equals the verifier's challenge and is spent once per scope. The
 * challenge is spent only by a presentation its holder demonstrably made for this verifier:
 * after `signature` (a key under the holder DID's `authentication`), `validity` and `domain`
 * passed. A forged, malformed, stale or misaddressed token therefore cannot use up a
 * legitimate holder's challenge; a replay of a spent one is still refused (`challenge_reused`).
 * A presentation whose credentials then fail has spent it: its holder signed it.
 */
async function checkChallenge(
  view: PresentationView,
  expected: PresentationExpectations,
  deps: PresentationVerifierDeps,
  before: readonly CheckResult[],
): Promise<CheckResult> {
  if (view.nonce === undefined)
    return failed('challenge', 'missing_challenge', 'the presentation has no nonce');
  if (view.nonce !== expected.challenge)
    return failed('challenge', 'challenge_mismatch', 'the nonce is not the challenge');
  if (before.some((check) => check.result !== 'passed')) return skipped('challenge', 'not_evaluated');
  const expiresAt = new Date(
    deps.now().getTime() + 2 * (deps.presentationMaxAgeSeconds ?? PRESENTATION_MAX_AGE_SECONDS) * 1000,
  );
  const first = await deps.nonces.consume(
    expected.nonceScope ?? `presentation:${expected.domain}`,
    expected.challenge,
    expiresAt,
  );
  return first
    ? passed('challenge')
    : failed('challenge', 'challenge_reused', 'this challenge was used before');
}

/**
 * Verifies a presentation and every credential in it. The holder (the presentation's signer,
 * with a key under `authentication`) must be the subject of every credential.
 */
export async function verifyPresentation(
  token: unknown,
  expected: PresentationExpectations,
  deps: PresentationVerifierDeps,
): Promise<PresentationVerificationResult> {
  if (typeof token === 'string' && isSdJwt(token) && deps.sdJwt)
    return verifySdJwtPresentation(token, expected, { ...deps, sdJwt: deps.sdJwt });
  const checks: CheckResult[] = [];
  const format = checkFormat(token);
  checks.push(format.result);
  if (!format.jws || !format.view) return finish(checks, undefined, []);
  const { jws, view } = format;
  // One allowance of outbound fetches for the holder's DID and every credential inside.
  const budget = requestBudget(deps);

  const signature = await guarded('signature', () =>
    checkSignature(
      jws,
      { signer: view.holder, signerClaims: view.holderClaims, subjectClaims: [] },
      'authentication',
      deps.keys,
      { budget, es256LowSOnly: deps.es256LowSOnly === true },
    ),
  );
  checks.push(signature);
  const validity = checkValidity(view.jwt, deps.now(), {
    maxAgeSeconds: deps.presentationMaxAgeSeconds ?? PRESENTATION_MAX_AGE_SECONDS,
    ...(deps.clockSkewSeconds !== undefined ? { skewSeconds: deps.clockSkewSeconds } : {}),
  });
  const domain = checkDomain(view.audience, expected.domain);
  checks.push(validity);
  checks.push(await checkChallenge(view, expected, deps, [signature, validity, domain]), domain);

  if (signature.result !== 'passed') {
    checks.push(skipped('credentials', 'not_evaluated'), skipped('holder_binding', 'not_evaluated'));
    return finish(checks, view, []);
  }
  if (view.credentials.length === 0 && expected.allowNoCredentials) {
    checks.push(
      { check: 'credentials', result: 'passed', code: 'none_presented' },
      { check: 'holder_binding', result: 'passed', code: 'none_presented' },
    );
    return finish(checks, view, []);
  }
  if (view.credentials.length === 0) {
    checks.push(
      failed('credentials', 'no_credentials', 'the presentation holds no credential'),
      skipped('holder_binding', 'not_evaluated'),
    );
    return finish(checks, view, []);
  }
  if (view.credentials.length > MAX_CREDENTIALS) {
    checks.push(
      failed('credentials', 'too_many_credentials', `at most ${MAX_CREDENTIALS} credentials`),
      skipped('holder_binding', 'not_evaluated'),
    );
    return finish(checks, view, []);
  }
  const results = await Promise.all(
    view.credentials.map((credential) => verifyCredential(credential ?? null, deps, budget)),
  );
  const failedIndex = results.findIndex((result) => !result.verified);
  checks.push(
    failedIndex === -1
      ? passed('credentials')
      : failed('credentials', 'credential_failed', `credential ${failedIndex} did not verify`),
  );
  const unbound = results.findIndex(
    (result) => result.subject === undefined || result.subject !== view.holder,
  );
  checks.push(
    unbound === -1
      ? passed('holder_binding')
      : failed('holder_binding', 'holder_mismatch', `the holder is not the subject of credential ${unbound}`),
  );
  return finish(checks, view, results);
}

function finish(
  checks: CheckResult[],
  view: PresentationView | undefined,
  credentials: readonly CredentialVerificationResult[],
): PresentationVerificationResult {
  const ran = new Set(checks.map((c) => c.check));
  for (const name of PRESENTATION_CHECKS) if (!ran.has(name)) checks.push(skipped(name, 'not_evaluated'));
  return {
    verified: isVerified(checks, REQUIRED),
    ...(view ? { format: view.format, ...(view.holder !== undefined ? { holder: view.holder } : {}) } : {}),
    checks,
    credentials,
  };
}
