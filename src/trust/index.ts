export { type LoadTrustAnchorsOptions, loadTrustAnchors, TRUST_ANCHOR_SCHEMA_FILE } from './anchor-loader.js';
export { isDid } from './did-syntax.js';
export {
  type EbsiIssuer,
  type EbsiIssuerAttribute,
  type EbsiIssuerList,
  type EbsiIssuerType,
  ebsiIssuer,
  ebsiIssuerPage,
  type TilClaim,
  type TilCredential,
  tilCredentials,
} from './ebsi-tir.js';
export { TrustAnchorError, type TrustAnchorErrorCode } from './errors.js';
export { httpsIssuerProblem, isHttpsIssuer, isHttpsIssuerId } from './https-issuer.js';
export { memberIssuersFrom } from './member-source.js';
export {
  BASE_CREDENTIAL_TYPE,
  createTrustRegistry,
  type RegistryPage,
  type TrustCheckCode,
  type TrustCheckRequest,
  type TrustCheckResult,
  type TrustRegistry,
  type TrustRegistryOptions,
  trustedAt,
} from './registry.js';
export { type TrustRoutesOptions, trustRoutes } from './routes.js';
export type {
  ClaimConstraint,
  IssuerSource,
  MemberIssuer,
  MemberIssuerSource,
  TrustAnchor,
  TrustedIssuer,
  Validity,
} from './types.js';
