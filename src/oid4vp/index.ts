export { mapClaims } from './claims.js';
export {
  type DcqlCredentialQuery,
  type DcqlQuery,
  matchQuery,
  queryForScopes,
  type VerifiedCredential,
} from './dcql.js';
export { type EvidenceRequirement, evidenceQueryId, queryForEvidence } from './dcql-evidence.js';
export { OID4VP_ENTITIES } from './entities.js';
export { type Oid4vp, type Oid4vpOptions, openOid4vp } from './module.js';
export { loginQrSvg } from './page.js';
export { PresentationRefused } from './refusal.js';
export { CLIENT_ID_PREFIX, REQUEST_OBJECT_TYP, verifierClientId } from './request-object.js';
export { REQUEST_PATH, RESPONSE_PATH } from './routes.js';
export type { Signing, SigningRefusal, SigningRequest, SigningStatus } from './signing.js';
export {
  checkTransactionData,
  decodeTransactionData,
  encodeTransactionData,
  type TransactionDataItem,
  transactionDataHash,
} from './transaction-data.js';
export type { SigningOutcome } from './transactions.js';
