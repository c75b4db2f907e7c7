export { AUTHORIZE_PATH } from './authorization-routes.js';
export {
  AUTHORIZATION_TTL_SECONDS,
  CODE_TTL_SECONDS,
  MEMBERSHIP_PROOF_QUERY,
  type WalletLoginOutcome,
  type WalletLoginPort,
} from './authorizations.js';
export { BATCH_SIZE, type CredentialConfiguration, PROOF_SIGNING_ALGORITHMS } from './configurations.js';
export { OID4VCI_ENTITIES } from './entities.js';
export { Oid4vciError, type Oid4vciErrorCode } from './errors.js';
export { AS_METADATA_PATH, ISSUER_METADATA_PATH, OID4VCI_PATH } from './metadata.js';
export {
  type IssuerMemberPort,
  type OfferOptions,
  OID4VCI_SWEEP_TARGETS,
  type Oid4vci,
  type Oid4vciOptions,
  openOid4vci,
} from './module.js';
export { type OfferPresentation, presentOffer, terminalQrCode } from './offer-links.js';
export {
  ACCESS_TOKEN_TTL_SECONDS,
  AUTHORIZATION_CODE_GRANT,
  type CreatedOffer,
  MAX_TX_CODE_TRIES,
  OFFER_SCHEME,
  OFFER_TTL_SECONDS,
  PRE_AUTHORIZED_GRANT,
} from './offers.js';
export { PROOF_TYP } from './proofs.js';
export { APPLICANT_OFFER_ROUTE } from './routes.js';
