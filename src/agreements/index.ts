/**
 * The register of data-sharing agreements: ODRL offers, agreements signed by both parties,
 * their lifecycle bound to membership, DataSharingAgreementCredentials, the connector check
 * (docs/agreements.md). The ODRL profile and evaluator are in ./policy (docs/agreements-policy.md).
 */
export { AGREEMENT_CHECKS, type AgreementAnswer, parseAgreementQuestion } from './check/check.js';
export type { AgreementCheckResult, AgreementQuestion } from './check/types.js';
export type { AgreementDeps } from './deps.js';
export {
  AGREEMENT_ENTITIES,
  AGREEMENT_SWEEP_TARGETS,
  type AgreementRow,
  type AgreementStatus,
} from './entities.js';
export { AGREEMENT_ERRORS, AgreementError, type AgreementErrorCode } from './errors.js';
export type { PartyStatusChange } from './lifecycle/membership.js';
export type { Proposal, Proposed } from './lifecycle/propose.js';
export {
  type AgreementTerms,
  hashTerms,
  SIGN_AGREEMENT_ACTION,
  TERMINATE_AGREEMENT_ACTION,
} from './lifecycle/terms.js';
export type { AgreementView } from './lifecycle/views.js';
export { type Agreements, type AgreementsOptions, openAgreements } from './module.js';
export { PUBLISH_OFFER_ACTION, type PublishedOffer } from './offers/offers.js';
export type { OfferPage, OfferView } from './offers/views.js';
export type {
  AgreementAudit,
  AgreementEvent,
  AgreementEvents,
  AgreementEventType,
  MemberDirectory,
  MemberEntry,
  SpendJti,
  StatementVerifier,
} from './ports.js';
export { type AgreementPage, AgreementRegister } from './register.js';
export { AGREEMENTS_SCOPE, agreementRoutes } from './routes.js';
