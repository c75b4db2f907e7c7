/**
 * Applying for membership in the portal (issue 14 item 2), composed over membership (the form's
 * checks, the rulebook's roles and evidence, the application itself), the wallet login's signing
 * requests and the credential issuer's offers. The portal holds no rule: whether a role exists,
 * which evidence it needs, whether a form is well formed and whether the signed answer is an
 * application are membership's to say; this file only connects them.
 */

import { GovernanceError } from '../governance/errors.js';
import type { Applications, ApplicationView } from '../membership/applications.js';
import {
  type ApplicationForm,
  applicationItem,
  checkApplicationForm,
} from '../membership/presented-application.js';
import type { OfferPresentation } from '../oid4vci/offer-links.js';
import {
  type DcqlQuery,
  queryForEvidence,
  type Signing,
  type SigningRequest,
  type SigningStatus,
} from '../oid4vp/index.js';
import type { SigningOutcome } from '../oid4vp/transactions.js';
import type { RulebookCapability } from '../rulebook/index.js';

/** The type whose claims the admission's consistency check compares with the form. */
const LEGAL_PERSON = 'LegalPersonCredential';

/** What the portal's apply pages use (portal/apply/routes.ts). */
export interface ApplySources {
  /** The roles an applicant may choose, with their titles. */
  roles(): Promise<readonly { readonly id: string; readonly title: string }[]>;
  /** Checks the form, builds the wallet request (DCQL from the evidence, the form as transaction data). */
  start(
    form: Readonly<Record<string, unknown>>,
  ): Promise<SigningRequest & { readonly form: ApplicationForm }>;
  /** Whether the wallet has answered, and whether the verifier refused its answer (with the code). */
  status(state: string): Promise<SigningStatus>;
  /**
   * The wallet's answer taken once (undefined while waiting), submitted as an application;
   * throws PresentationRefused (with the verifier's code) when the verifier refused the answer.
   */
  finish(state: string): Promise<ApplicationView | undefined>;
  /**
   * A fresh wallet request for the form of a request whose answer the verifier refused (the
   * applicant tries again, e.g. with other evidence); undefined when `state` was not refused.
   */
  again(state: string): Promise<(SigningRequest & { readonly form: ApplicationForm }) | undefined>;
  /** The application with its motion (checks, votes, decision). */
  application(id: string): Promise<ApplicationView>;
  /** An OpenID4VCI offer of the admitted applicant's MembershipCredential (`not_admitted` before). */
  offer(id: string): Promise<OfferPresentation>;
}

export function applying(deps: {
  readonly applications: Applications;
  readonly signing: Signing;
  readonly rulebook: RulebookCapability;
  readonly presentOfferTo: (did: string) => Promise<OfferPresentation>;
}): ApplySources {
  const queryFor = async (roles: readonly string[]): Promise<DcqlQuery> => {
    const evidence = await deps.applications.evidenceFor(roles);
    // The consistency check compares the form with the LegalPersonCredential: always asked for.
    const withLegalPerson = evidence.some((rule) => rule.credentialType === LEGAL_PERSON)
      ? evidence
      : [...evidence, { credentialType: LEGAL_PERSON, requiredClaims: [] }];
    return queryForEvidence(withLegalPerson);
  };
  const start = async (raw: Readonly<Record<string, unknown>>) => {
    const form = checkApplicationForm(raw);
    const query = await queryFor(form.roles);
    const request = await deps.signing.request({
      query,
      transactionData: [
        applicationItem(
          form,
          query.credentials.map((c) => c.id),
        ),
      ],
    });
    return { ...request, form };
  };
  return {
    async roles() {
      const { rulebook } = await deps.rulebook.store.current();
      return rulebook.roles.map(({ id, title }) => ({ id, title }));
    },
    start,
    status: (state) => deps.signing.status(state),
    async again(state) {
      const refused = await deps.signing.refusal(state);
      const [item] = refused?.transactionData ?? [];
      if (!item) return undefined;
      // The item is the service's own encoding of the form the applicant sent (start above).
      return start(JSON.parse(Buffer.from(item, 'base64url').toString('utf8')) as Record<string, unknown>);
    },
    async finish(state) {
      const outcome: SigningOutcome | undefined = await deps.signing.take(state);
      if (!outcome) return undefined;
      const presentations = [...new Set(Object.values(outcome.vpToken).flat())];
      const [item] = outcome.transactionData;
      if (presentations.length !== 1 || !item || !outcome.nonce)
        throw new GovernanceError(
          400,
          'invalid_presentation',
          'the wallet answered with more than one presentation, or without the application',
        );
      return deps.applications.submitPresented({
        presentation: presentations[0] as string,
        transactionData: item,
        nonce: outcome.nonce,
      });
    },
    application: (id) => deps.applications.get(id),
    async offer(id) {
      const application = await deps.applications.get(id);
      if (application.status !== 'approved')
        throw new GovernanceError(409, 'not_admitted', `the application is ${application.status}`);
      return deps.presentOfferTo(application.applicant);
    },
  };
}
