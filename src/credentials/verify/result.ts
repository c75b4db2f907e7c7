/**
 * The one typed answer of verification. Every check that the pipeline knows appears in
 * `checks`, in order, with its outcome; `verified` is true only when no check failed and
 * every required check passed. A check that did not run is `skipped` with a code saying why.
 */
export type CheckName =
  | 'format'
  | 'signature'
  | 'validity'
  | 'status'
  | 'trusted_issuer'
  | 'schema'
  | 'disclosures'
  | 'challenge'
  | 'domain'
  | 'holder_binding'
  | 'credentials';

export type CheckOutcome = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  readonly check: CheckName;
  readonly result: CheckOutcome;
  /** Why it failed or was skipped; stable, documented in docs/verification.md. */
  readonly code?: string;
  /** Human-readable detail; never needed to decide anything. */
  readonly detail?: string;
}

export type CredentialFormat = 'jwt_vc_json' | 'vc+jwt';
export type PresentationFormat = 'jwt_vp_json' | 'vp+jwt';
/** SD-JWT VC (draft-ietf-oauth-sd-jwt-vc): a credential, or one with its key binding JWT. */
export type SdJwtFormat = 'dc+sd-jwt';

export interface CredentialVerificationResult {
  readonly verified: boolean;
  readonly format?: CredentialFormat | SdJwtFormat;
  readonly issuer?: string;
  readonly subject?: string;
  readonly types?: readonly string[];
  readonly id?: string;
  /** SD-JWT VC: the credential's `vct`. */
  readonly vct?: string;
  /** SD-JWT VC: the claims after disclosure (only when the signature and disclosures passed). */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly checks: readonly CheckResult[];
}

export interface PresentationVerificationResult {
  readonly verified: boolean;
  readonly format?: PresentationFormat | SdJwtFormat;
  readonly holder?: string;
  readonly checks: readonly CheckResult[];
  readonly credentials: readonly CredentialVerificationResult[];
}

export const passed = (check: CheckName): CheckResult => ({ check, result: 'passed' });

export const failed = (check: CheckName, code: string, detail?: string): CheckResult =>
  detail === undefined ? { check, result: 'failed', code } : { check, result: 'failed', code, detail };

export const skipped = (check: CheckName, code: string, detail?: string): CheckResult =>
  detail === undefined ? { check, result: 'skipped', code } : { check, result: 'skipped', code, detail };

/** A verification outcome: verified only if nothing failed and every required check passed. */
export function isVerified(checks: readonly CheckResult[], required: readonly CheckName[]): boolean {
  if (checks.some((c) => c.result === 'failed')) return false;
  return required.every((name) => checks.some((c) => c.check === name && c.result === 'passed'));
}
