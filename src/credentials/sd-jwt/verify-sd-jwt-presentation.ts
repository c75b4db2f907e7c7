/**
 * An SD-JWT VC presented with its key binding JWT (RFC 9901 §7.3; OpenID4VP 1.0 §B.3.6), in
 * the presentation pipeline's shape: `format` (the KB-JWT's form), `signature` (by the
 * credential's `cnf` key), `validity` (the KB-JWT's `iat` within the presentation window),
 * `challenge` (`nonce`, spent once), `domain` (`aud`), `credentials` (the SD-JWT VC itself,
 * every credential check) and `holder_binding` (`sd_hash` over the presented SD-JWT). Every
 * check must pass. The nonce is spent only by a key binding JWT the holder demonstrably made
 * for this verifier (signature, validity and domain passed), as for JWT presentations.
 */
import { checkValidity } from '../verify/checks/validity.js';
import {
  type CheckName,
  type CheckResult,
  type CredentialVerificationResult,
  failed,
  isVerified,
  type PresentationVerificationResult,
  passed,
  skipped,
} from '../verify/result.js';
import { requestBudget } from '../verify/verify-credential.js';
import {
  PRESENTATION_MAX_AGE_SECONDS,
  type PresentationExpectations,
  type PresentationVerifierDeps,
} from '../verify/verify-presentation.js';
import { checkKbFormat, checkKbSignature, checkSdHash } from './checks/key-binding.js';
import { parseForVerification, type SdJwtVerifierDeps, verifySdJwtCredential } from './verify-sd-jwt.js';

const CHECKS: readonly CheckName[] = [
  'format',
  'signature',
  'validity',
  'challenge',
  'domain',
  'credentials',
  'holder_binding',
];

type Deps = Omit<PresentationVerifierDeps, 'sdJwt'> & { readonly sdJwt: SdJwtVerifierDeps };

export async function verifySdJwtPresentation(
  token: string,
  expected: PresentationExpectations,
  deps: Deps,
): Promise<PresentationVerificationResult> {
  const checks: CheckResult[] = [];
  const { parsed, result } = parseForVerification(token);
  if (!parsed) return finish([result as CheckResult], []);
  const format = checkKbFormat(parsed.kb);
  checks.push(format);
  if (format.result !== 'passed' || !parsed.kb) return finish(checks, []);
  const kb = parsed.kb;
  const budget = requestBudget(deps);
  const credential = await verifySdJwtCredential(token, deps, budget, { allowKeyBinding: true, parsed });
  // The holder key is the credential's `cnf`, read only from an issuer-signed payload.
  const signed = credential.checks.find((c) => c.check === 'signature')?.result === 'passed';
  const signature = signed
    ? checkKbSignature(kb, parsed.jws.payload.cnf)
    : skipped('signature', 'not_evaluated', 'the credential carrying the holder key did not verify');
  checks.push(signature);
  const validity = checkValidity(
    { iat: kb.payload.iat, exp: kb.payload.exp, nbf: kb.payload.nbf },
    deps.now(),
    {
      maxAgeSeconds: deps.presentationMaxAgeSeconds ?? PRESENTATION_MAX_AGE_SECONDS,
      ...(deps.clockSkewSeconds !== undefined ? { skewSeconds: deps.clockSkewSeconds } : {}),
    },
  );
  checks.push(validity);
  const audiences = Array.isArray(kb.payload.aud) ? kb.payload.aud : [kb.payload.aud];
  const domain = audiences.includes(expected.domain)
    ? passed('domain')
    : failed('domain', 'domain_mismatch', 'aud does not name this verifier');
  const binding = checkSdHash(kb, parsed.presented);
  checks.push(await checkChallenge(kb.payload.nonce, expected, deps, [signature, validity, domain, binding]));
  checks.push(domain);
  checks.push(
    credential.verified
      ? passed('credentials')
      : failed('credentials', 'credential_failed', 'credential 0 did not verify'),
  );
  checks.push(binding);
  return finish(checks, [credential]);
}

async function checkChallenge(
  nonce: unknown,
  expected: PresentationExpectations,
  deps: Deps,
  before: readonly CheckResult[],
): Promise<CheckResult> {
  if (nonce !== expected.challenge)
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

function finish(
  checks: CheckResult[],
  credentials: readonly CredentialVerificationResult[],
): PresentationVerificationResult {
  const ran = new Set(checks.map((c) => c.check));
  for (const name of CHECKS) if (!ran.has(name)) checks.push(skipped(name, 'not_evaluated'));
  return { verified: isVerified(checks, CHECKS), format: 'dc+sd-jwt', checks, credentials };
}
