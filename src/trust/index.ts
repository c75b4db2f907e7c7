export { loadTrustAnchors, TRUST_ANCHOR_SCHEMA_FILE } from './anchor-loader.js';
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
export {
  BASE_CREDENTIAL_TYPE,
  createTrustRegistry,
  type TrustCheckCode,
  type TrustCheckRequest,
  type TrustCheckResult,
  type TrustRegistry,
  type TrustRegistryOptions,
} from './registry.js';
export { type TrustRoutesOptions, trustRoutes } from './routes.js';
export type {
  ClaimConstraint,
  IssuerSource,
  MemberIssuer,
  TrustAnchor,
  TrustedIssuer,
  Validity,
} from './types.js';
