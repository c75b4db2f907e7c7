/**
 * The rulebook's admission checks, run the moment an application arrives. Each is named and
 * reported like the credential checks; any failure makes the application `action_required`
 * with the reasons, and no motion is opened.
 */
import type { MembershipRules } from './ports.js';

export type AdmissionCheckName = 'did_method' | 'did_resolvable' | 'roles' | 'evidence' | 'consistency';

/** One admission check's outcome, shaped like the credential checks. */
export interface AdmissionCheck {
  readonly check: AdmissionCheckName;
  readonly result: 'passed' | 'failed';
  readonly code?: string;
  readonly detail?: string;
}

export interface PresentedCredential {
  readonly id: string | undefined;
  readonly issuer: string;
  readonly types: readonly string[];
  readonly subject: Readonly<Record<string, unknown>>;
}

const result = (check: AdmissionCheckName, ok: boolean, code: string, detail: string): AdmissionCheck =>
  ok ? { check, result: 'passed' } : { check, result: 'failed', code, detail };

/** Names compare without case or surrounding/extra whitespace; registration numbers also without spaces, dots and dashes. */
const normaliseName = (value: unknown) =>
  String(value ?? '')
    .normalize('NFC')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();
const normaliseNumber = (value: unknown) =>
  String(value ?? '')
    .replace(/[\s.\-/]/g, '')
    .toUpperCase();

function claimAt(subject: Readonly<Record<string, unknown>>, path: string): unknown {
  return path
    .replace(/^credentialSubject\./, '')
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
      subject,
    );
}

export async function admissionChecks(input: {
  applicant: string;
  form: Readonly<Record<string, unknown>>;
  evidence: readonly PresentedCredential[];
  /** Whether the presentation's signature verified with a key from the applicant's DID document. */
  signatureVerified: boolean;
  rules: MembershipRules;
}): Promise<AdmissionCheck[]> {
  const { applicant, form, evidence, rules } = input;
  const checks: AdmissionCheck[] = [];
  checks.push(
    result(
      'did_method',
      await rules.allowsDidMethod(applicant, 'members'),
      'did_method_not_allowed',
      `the rulebook does not admit members with ${applicant.split(':').slice(0, 2).join(':')}`,
    ),
  );
  // The DID resolved exactly when the presentation's signature verified against its document.
  checks.push(
    result(
      'did_resolvable',
      input.signatureVerified,
      'unresolvable_did',
      'the applicant DID did not resolve to a key',
    ),
  );
  const roles = Array.isArray(form.roles) ? (form.roles as string[]) : [];
  const known = await rules.roles();
  const unknown = roles.filter((role) => !known.includes(role));
  checks.push(
    result(
      'roles',
      roles.length > 0 && unknown.length === 0,
      'unknown_role',
      `unknown or missing roles: ${unknown.join(', ') || 'none given'}`,
    ),
  );
  const required = unknown.length === 0 && roles.length > 0 ? await rules.evidenceFor(roles) : [];
  const missing: string[] = [];
  for (const need of required) {
    const match = evidence.find(
      (credential) =>
        credential.types.includes(need.credentialType) &&
        // 'trust-anchors': the pipeline already required a trusted issuer for the type.
        (need.issuers === 'trust-anchors' || need.issuers.includes(credential.issuer)) &&
        need.requiredClaims.every((path) => {
          const value = claimAt(credential.subject, path);
          return value !== undefined && value !== null && value !== '';
        }),
    );
    if (!match) missing.push(`${need.credentialType} (${need.requiredClaims.join(', ')})`);
  }
  checks.push(
    result(
      'evidence',
      missing.length === 0 && required.length > 0,
      'evidence_missing',
      `missing evidence: ${missing.join('; ')}`,
    ),
  );
  const legal = evidence.find((credential) => credential.types.includes('LegalPersonCredential'));
  const consistent =
    legal !== undefined &&
    normaliseName(legal.subject.legalName) === normaliseName(form.legalName) &&
    normaliseNumber(legal.subject.registrationNumber) === normaliseNumber(form.registrationNumber) &&
    String(legal.subject.country ?? '') === String(form.country ?? '');
  checks.push(
    result(
      'consistency',
      consistent,
      'inconsistent_evidence',
      'the legal name, registration number and country of the application must match the LegalPersonCredential',
    ),
  );
  return checks;
}
