/**
 * The consent register: notices, citizens' consent records and receipts, withdrawal, expiry,
 * the connector check (docs/consent.md).
 */
export {
  type AppConsentRequest,
  appRequestRefusal,
  type KeptNaturalPerson,
  presentedIdentityOf,
} from './app-requests.js';
export { CONSENT_CHECKS, type ConsentAnswer, type ConsentReason, parseQuestion } from './check/check.js';
export type { ConsentQuestion, ConsentReasonCode } from './check/types.js';
export { citizenFromLogin, type PresentedIdentity } from './citizen.js';
export { CONSENT_ENTITIES } from './entities.js';
export { CONSENT_ERRORS, ConsentError, type ConsentErrorCode } from './errors.js';
export { type Consent, type ConsentOptions, openConsent } from './module.js';
export type { NoticeContent, NoticeInput } from './notices/content.js';
export { PUBLISH_NOTICE_ACTION, type PublishedNotice } from './notices/notices.js';
export type { NoticePage, NoticeSummary, NoticeView } from './notices/views.js';
export { type Citizen, type ConsentKeys, consentKeys } from './pairwise.js';
export type {
  ConsentAudit,
  ConsentEvent,
  ConsentEvents,
  ConsentEventType,
  MemberDirectory,
  MemberEntry,
  StatementVerifier,
  VerifiedStatement,
} from './ports.js';
export type { CitizenConsent, ErasureResult, Iso27560Export } from './records/citizen.js';
export type { GiveConsentRequest, GivenConsent } from './records/give.js';
export type { Iso27560Record } from './records/iso27560.js';
export type { CollectionMethod, ConsentView } from './records/views.js';
export type { WithdrawRequest } from './records/withdraw.js';
export { ConsentRegister, type DescribedNotice, type DescribedTerm } from './register.js';
export {
  type Authenticate,
  type AuthenticatedConnector,
  CHECK_SCOPE,
  consentRoutes,
  NOTICES_SCOPE,
} from './routes.js';
