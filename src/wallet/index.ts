/**
 * The holder wallet: a DID with an encrypted key on disk, its credentials, the tokens it signs
 * for the trust service, an HTTP client for the membership and governance API, and connector
 * access tokens for the member APIs.
 */
export {
  type AgreementQuestionInput,
  AgreementsClient,
  type ProposeInput,
  termsHash,
} from './agreements-client.js';
export { type AuthorizeOptions, receiveByAuthorization, WALLET_REDIRECT_URI } from './authorize.js';
export {
  CLIENT_ASSERTION_LIFETIME_SECONDS,
  type ConnectorToken,
  type ConnectorTokenRequest,
  requestConnectorToken,
} from './connector-token.js';
export { isOfType, type StoredCredential } from './credential-record.js';
export { ServiceError, WalletError, type WalletErrorCode } from './errors.js';
export { DID_METHODS, type DidMethod, WALLET_ALGORITHMS, type WalletAlgorithm } from './keys.js';
export {
  type LoginOptions,
  type LoginResult,
  parseLoginUrl,
  type TransactionDataView,
  walletLogin,
} from './login.js';
export {
  AGREEMENT_STATEMENT_ACTIONS,
  type AgreementStatementAction,
  type AgreementStatementInput,
  type ApplicationDetails,
  type IssueCredentialInput,
  MOTION_KINDS,
  type MotionInput,
  type MotionKind,
  PRESENTATION_LIFETIME_SECONDS,
  type PresentationInput,
  VOTE_DECISIONS,
  type VoteDecision,
  type VoteInput,
  type WithdrawalInput,
} from './payloads.js';
export { type ReceiveOptions, type ReceiveResult, receiveCredential, resolveOffer } from './receive.js';
export {
  type ApplicationReceipt,
  type ApplicationStatus,
  type ApplyInput,
  type Challenge,
  DEFAULT_EVIDENCE_TYPES,
  type MembershipCredentialResult,
  ServiceClient,
  type ServiceClientOptions,
} from './service-client.js';
export {
  type CreateWalletOptions,
  createWallet,
  DEFAULT_SCHEMA_DIR,
  inspectWallet,
  MIN_PASSPHRASE_LENGTH,
  type OpenWalletOptions,
  openWallet,
  type SignOptions,
  Wallet,
  type WalletSummary,
} from './wallet.js';
