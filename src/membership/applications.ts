import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { CredentialIssuer } from '../credentials/issue/issuer.js';
import { parseCompactJws } from '../credentials/verify/compact-jws.js';
import { presentationView, tokenKind } from '../credentials/verify/model.js';
import type { PresentationFormat, PresentationVerificationResult } from '../credentials/verify/result.js';
import type { PresentationExpectations } from '../credentials/verify/verify-presentation.js';
import { inTransaction, isUniqueViolation, reading } from '../db/index.js';
import type { GovernanceEngine, MotionView } from '../governance/engine.js';
import { GovernanceError } from '../governance/errors.js';
import type { AuditTrail } from '../governance/ports.js';
import { type AdmissionCheck, admissionChecks, type PresentedCredential } from './admission.js';
import type { Challenges } from './challenges.js';
import { checkContact } from './contact.js';
import { ApplicationEntity, type ApplicationRow, MemberEntity } from './entities.js';
import { membershipSubject } from './members.js';
import type { MembershipRules } from './ports.js';
import { type PresentedApplication, readPresentedApplication } from './presented-application.js';

export type VerifyPresentation = (
  token: unknown,
  expected: PresentationExpectations,
) => Promise<PresentationVerificationResult>;

export interface ApplicationsDeps {
  readonly dataSource: DataSource;
  readonly serviceDid: string;
  readonly challenges: Challenges;
  /** The credentials pipeline, accepting self-issued MembershipApplicationCredentials. */
  readonly verifyPresentation: VerifyPresentation;
  readonly rules: MembershipRules;
  readonly engine: GovernanceEngine;
  readonly issuer: CredentialIssuer;
  readonly audit: AuditTrail;
  readonly now: () => Date;
  /**
   * Counts an application by its (verified) signer and refuses past the per-DID rate limit
   * (throws a 429 error): an application is a permanent record and audit entry.
   */
  readonly limitApplicant?: (did: string) => Promise<void>;
}

export interface ApplicationView {
  readonly id: string;
  readonly applicant: string;
  readonly legalName: string;
  readonly roles: readonly string[];
  readonly status: ApplicationRow['status'];
  readonly motionId: string | null;
  readonly submittedAt: string;
  readonly decidedAt?: string;
  readonly checks: readonly AdmissionCheck[];
  readonly reasons?: readonly string[];
  readonly motion?: MotionView;
}

const APPLICATION_TYPE = 'MembershipApplicationCredential';
const MEMBERSHIP_SCOPE = 'membership';
/** The prefix of the service's OpenID4VP client id (§5.9.3): the audience of a wallet's answer. */
const VERIFIER_CLIENT_ID_PREFIX = 'decentralized_identifier:';

/**
 * Membership applications: a presentation signed by the applicant's DID, bound to a one-time
 * challenge and the service DID, holding the evidence and a self-issued application
 * credential. The rulebook's admission checks run at once; a complete application opens
 * the admission motion in the same transaction.
 */
export class Applications {
  constructor(private readonly deps: ApplicationsDeps) {}

  /** An application through the API: a presentation holding a self-issued application credential. */
  async submit(token: unknown): Promise<ApplicationView> {
    const { result, challengeNonce } = await this.verified(token, false);
    const presented = presentedCredentials(token as string, result);
    const applicant = result.holder as string;
    await this.deps.limitApplicant?.(applicant);
    const application = presented.filter(
      (p) => p.credential.types?.includes(APPLICATION_TYPE) && p.credential.issuer === applicant,
    );
    if (application.length !== 1) {
      throw new GovernanceError(
        422,
        'missing_application',
        `present exactly one self-issued ${APPLICATION_TYPE}`,
      );
    }
    const form = claimsOf(application[0]?.token)?.credentialSubject as Record<string, unknown>;
    return this.record(
      applicant,
      form,
      presented.filter((p) => p !== application[0]),
      result,
      challengeNonce,
    );
  }

  /**
   * An application through the portal (presented-application.ts): the wallet's presentation of
   * the evidence, signing the application form as its OpenID4VP `transaction_data` item. The
   * presentation passes the same pipeline as the API's, with the OpenID4VP request's nonce (spent
   * once here too) and the service's verifier client id as audience; the item must be signed
   * (`application_not_signed`) before anything else is read from it.
   */
  async submitPresented(presented: PresentedApplication): Promise<ApplicationView> {
    const form = readPresentedApplication(presented);
    if (typeof presented.nonce !== 'string' || presented.nonce.length === 0)
      throw new GovernanceError(400, 'invalid_presentation', 'the nonce of the request is missing');
    const result = await this.deps.verifyPresentation(presented.presentation, {
      challenge: presented.nonce,
      domain: `${VERIFIER_CLIENT_ID_PREFIX}${this.deps.serviceDid}`,
      nonceScope: MEMBERSHIP_SCOPE,
    });
    if (!result.verified) refuse(result);
    const applicant = result.holder as string;
    await this.deps.limitApplicant?.(applicant);
    const presentedCredentialsOf = presentedCredentials(presented.presentation, result);
    return this.record(
      applicant,
      form as unknown as Record<string, unknown>,
      presentedCredentialsOf,
      result,
      presented.nonce,
    );
  }

  /** Runs the admission checks and stores the application (and opens its motion when complete). */
  private async record(
    applicant: string,
    form: Record<string, unknown>,
    presentedEvidence: readonly {
      credential: PresentationVerificationResult['credentials'][number];
      token: string | undefined;
    }[],
    result: PresentationVerificationResult,
    challengeNonce: string,
  ): Promise<ApplicationView> {
    const evidence: PresentedCredential[] = presentedEvidence.map((p) => ({
      id: p.credential.id,
      issuer: p.credential.issuer as string,
      types: p.credential.types ?? [],
      subject: (claimsOf(p.token)?.credentialSubject ?? {}) as Record<string, unknown>,
    }));
    // The schema allows 500 characters; the registry holds 300 and 100.
    if (String(form.legalName).length > 300 || String(form.registrationNumber).length > 100) {
      throw new GovernanceError(
        422,
        'invalid_application',
        'legalName is at most 300 characters and registrationNumber at most 100',
      );
    }
    // Checked before anything is stored: the contact is kept with the application.
    const contact = checkContact(form.contact);
    const roles = (form.roles as string[]) ?? [];
    const checks = await admissionChecks({
      applicant,
      form,
      evidence,
      signatureVerified: result.checks.some(
        (check) => check.check === 'signature' && check.result === 'passed',
      ),
      rules: this.deps.rules,
    });
    const complete = checks.every((check) => check.result !== 'failed');
    const now = this.deps.now().toISOString();
    const terms = await this.deps.engine.admissionTerms();
    try {
      return await inTransaction(this.deps.dataSource, undefined, async (manager) => {
        const member = await manager.getRepository(MemberEntity).findOneBy({ did: applicant });
        if (member && member.status !== 'withdrawn' && member.status !== 'revoked') {
          throw new GovernanceError(409, 'already_member', 'this DID is a member of the data space');
        }
        const open = await manager.getRepository(ApplicationEntity).findOneBy({ openKey: applicant });
        if (open)
          throw new GovernanceError(
            409,
            'application_open',
            `application ${open.id} of this DID is under review`,
          );
        const row: ApplicationRow = {
          id: `application-${randomUUID()}`,
          applicant,
          legalName: String(form.legalName),
          registrationNumber: String(form.registrationNumber),
          country: String(form.country),
          roles: JSON.stringify(roles),
          contact: JSON.stringify(contact),
          evidence: JSON.stringify(evidence.map((e) => ({ id: e.id, issuer: e.issuer, types: e.types }))),
          checks: JSON.stringify(checks),
          status: complete ? 'under_review' : 'action_required',
          motionId: null,
          submittedAt: now,
          decidedAt: null,
          openKey: complete ? applicant : null,
        };
        await manager.getRepository(ApplicationEntity).insert(row);
        if (complete) {
          const motion = await this.deps.engine.openAdmission(manager, row, terms);
          row.motionId = motion.id;
          await manager.getRepository(ApplicationEntity).update({ id: row.id }, { motionId: motion.id });
        }
        await this.deps.audit.append(
          {
            kind: 'membership.application.submitted',
            actor: applicant,
            subject: row.id,
            data: {
              legalName: row.legalName,
              roles,
              status: row.status,
              motionId: row.motionId,
              challenge: challengeNonce.slice(0, 8),
            },
          },
          manager,
        );
        return view(row);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new GovernanceError(409, 'application_open', 'an application of this DID is under review');
      throw error;
    }
  }

  /** The role ids an applicant may choose (the rulebook's). */
  roles(): Promise<readonly string[]> {
    return this.deps.rules.roles();
  }

  /**
   * The evidence the rulebook asks of an applicant for `roles` (the portal builds its wallet
   * request from it); `unknown_role` (422) when a role is not the rulebook's or none is given.
   */
  async evidenceFor(roles: readonly string[]) {
    const known = await this.deps.rules.roles();
    const unknown = roles.filter((role) => !known.includes(role));
    if (roles.length === 0 || unknown.length > 0)
      throw new GovernanceError(
        422,
        'unknown_role',
        `unknown or missing roles: ${unknown.join(', ') || 'none given'}`,
      );
    return this.deps.rules.evidenceFor(roles);
  }

  /** The application whose admission motion is `motionId`, if any (the board's workspace). */
  async ofMotion(motionId: string): Promise<ApplicationView | undefined> {
    const row = await reading(this.deps.dataSource, undefined, (m) =>
      m.getRepository(ApplicationEntity).findOneBy({ motionId }),
    );
    return row ? view(row) : undefined;
  }

  async get(id: string): Promise<ApplicationView> {
    const row = await reading(this.deps.dataSource, undefined, (m) =>
      m.getRepository(ApplicationEntity).findOneBy({ id }),
    );
    if (!row) throw new GovernanceError(404, 'not_found', 'no application has this id');
    const motion = row.motionId ? await this.deps.engine.motion(row.motionId) : undefined;
    const fresh = motion
      ? await reading(this.deps.dataSource, undefined, (m) =>
          m.getRepository(ApplicationEntity).findOneBy({ id }),
        )
      : row;
    return { ...view(fresh ?? row), ...(motion ? { motion } : {}) };
  }

  /**
   * The admitted applicant fetches its MembershipCredential by proving control of its DID
   * (a presentation with a fresh challenge; it need hold no credential).
   */
  async credential(id: string, token: unknown): Promise<{ credential: string; id: string }> {
    const row = await this.admittedApplication(id, token);
    const member = await reading(this.deps.dataSource, undefined, (m) =>
      m.getRepository(MemberEntity).findOneBy({ did: row.applicant }),
    );
    const record = member?.credentialId ? await this.deps.issuer.record(member.credentialId) : null;
    if (!member || !record?.idempotencyKey)
      throw new GovernanceError(409, 'not_admitted', 'no membership credential was issued');
    const issued = await this.deps.issuer.issue({
      type: 'MembershipCredential',
      subject: membershipSubject(member),
      format: record.format as 'vc+jwt' | 'jwt_vc_json',
      validFrom: new Date(record.validFrom),
      ...(record.validUntil ? { validUntil: new Date(record.validUntil) } : {}),
      idempotencyKey: record.idempotencyKey,
    });
    return { credential: issued.jwt, id: issued.id };
  }

  /**
   * The DID of the admitted applicant of application `id`, who proves control of it with a
   * presentation over a fresh challenge (as for the credential): an OpenID4VCI offer is made
   * for it (src/oid4vci).
   */
  async admittedApplicant(id: string, token: unknown): Promise<string> {
    return (await this.admittedApplication(id, token)).applicant;
  }

  private async admittedApplication(id: string, token: unknown): Promise<ApplicationRow> {
    const { result } = await this.verified(token, true);
    const row = await reading(this.deps.dataSource, undefined, (m) =>
      m.getRepository(ApplicationEntity).findOneBy({ id }),
    );
    if (!row) throw new GovernanceError(404, 'not_found', 'no application has this id');
    if (result.holder !== row.applicant) {
      throw new GovernanceError(403, 'not_applicant', 'the presentation is not signed by the applicant');
    }
    if (row.status !== 'approved')
      throw new GovernanceError(409, 'not_admitted', `the application is ${row.status}`);
    return row;
  }

  private async verified(token: unknown, proofOnly: boolean) {
    let nonce: unknown;
    try {
      nonce = typeof token === 'string' ? parseCompactJws(token).payload.nonce : undefined;
    } catch {
      throw new GovernanceError(400, 'invalid_presentation', 'the presentation is not a compact JWS');
    }
    const challengeNonce = await this.deps.challenges.requireKnown(nonce);
    const result = await this.deps.verifyPresentation(token, {
      challenge: challengeNonce,
      domain: this.deps.serviceDid,
      nonceScope: MEMBERSHIP_SCOPE,
      allowNoCredentials: proofOnly,
    });
    if (!result.verified) refuse(result);
    return { result, challengeNonce };
  }
}

/** The refusal of a presentation the pipeline did not verify, with the code that says why. */
function refuse(result: PresentationVerificationResult): never {
  const failedCheck = result.checks.find((c) => c.result === 'failed');
  if (failedCheck?.code === 'challenge_reused') {
    throw new GovernanceError(400, 'challenge_reused', 'this challenge was used before; fetch a new one');
  }
  const untrusted = result.credentials.some((c) =>
    c.checks.some((check) => check.check === 'trusted_issuer' && check.result === 'failed'),
  );
  throw new GovernanceError(
    422,
    untrusted ? 'untrusted_evidence' : 'presentation_invalid',
    untrusted
      ? 'evidence comes from an issuer the data space does not trust for it'
      : 'the presentation does not verify',
    { checks: result.checks, credentials: result.credentials },
  );
}

/** The credential tokens of a verified presentation, in the order the pipeline verified them. */
function presentedCredentials(token: string, result: PresentationVerificationResult) {
  const jws = parseCompactJws(token);
  const tokens = presentationView(
    tokenKind(jws.header, jws.payload) as PresentationFormat,
    jws.payload,
  ).credentials;
  return result.credentials.map((credential, index) => ({ credential, token: tokens[index] }));
}

/** The credential claims of a verified JWT credential, in data-model form. */
function claimsOf(token: string | undefined): Record<string, unknown> | undefined {
  if (!token) return undefined;
  const payload = parseCompactJws(token).payload as Record<string, unknown>;
  return (payload.vc as Record<string, unknown> | undefined) ?? payload;
}

function view(row: ApplicationRow): ApplicationView {
  const checks = JSON.parse(row.checks) as AdmissionCheck[];
  const reasons = checks.filter((c) => c.result === 'failed').map((c) => c.detail ?? c.code ?? c.check);
  return {
    id: row.id,
    applicant: row.applicant,
    legalName: row.legalName,
    roles: JSON.parse(row.roles) as string[],
    status: row.status,
    motionId: row.motionId,
    submittedAt: row.submittedAt,
    ...(row.decidedAt ? { decidedAt: row.decidedAt } : {}),
    checks,
    ...(reasons.length > 0 ? { reasons } : {}),
  };
}
