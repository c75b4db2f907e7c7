/**
 * The verifier's refusal of a wallet's answer, with its code: the pipeline's check code (e.g.
 * `untrusted_issuer`, `expired`, `revoked`, `holder_mismatch`) or this capability's own
 * (`transaction_data_not_covered`, `query_not_satisfied`, `holder_ambiguous`, ...). A signing
 * request keeps the code of the refusal (never the wallet's text or credentials), so the page
 * that waits for the wallet can say why (the portal's apply and vote pages).
 */
import type { PresentationVerificationResult } from '../credentials/verify/result.js';
import { OAuthError } from '../http/index.js';

/** What a recorded refusal code may look like: one of this service's own codes. */
export const REFUSAL_CODE = /^[a-z][a-z0-9_]{0,63}$/;

/** `access_denied` (or `error`) whose `error_description` starts with `code:`. */
export class PresentationRefused extends OAuthError {
  constructor(
    readonly code: string,
    description: string,
    error = 'access_denied',
  ) {
    super(400, error, `${code}: ${description}`);
    this.name = 'PresentationRefused';
  }
}

/** The code a signing request records for a refusal of its answer. */
export function refusalCodeOf(error: OAuthError): string {
  const code = error instanceof PresentationRefused ? error.code : error.error;
  return REFUSAL_CODE.test(code) ? code : 'refused';
}

/**
 * The code that says why a presentation did not verify: the first failed check of the
 * presentation itself, except `credential_failed`, which only says that a credential failed:
 * then the first failed check of the first failed credential.
 */
export function verificationCode(result: PresentationVerificationResult): string {
  const own = result.checks.find((c) => c.result === 'failed' && c.code !== 'credential_failed');
  if (own?.code) return own.code;
  for (const credential of result.credentials) {
    const failed = credential.checks.find((c) => c.result === 'failed');
    if (failed?.code) return failed.code;
  }
  return 'not_verified';
}
