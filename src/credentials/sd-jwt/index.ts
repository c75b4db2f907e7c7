/**
 * SD-JWT VC (`dc+sd-jwt`) for this service: verification as a third format of the pipeline,
 * issuance of the data space's credential types, Token Status Lists and vct type metadata.
 */
export { type Disclosure, type ParsedSdJwt, parseSdJwt, SdJwtFormatError } from './compact.js';
export { holderPublicJwk, signSdJwt } from './issue.js';
export { sdJwtRoutes } from './routes.js';
export { TokenStatusListPublisher, tokenStatusListUrl } from './token-list-publisher.js';
export {
  createTokenStatusLookup,
  decodeTokenList,
  encodeTokenList,
  statusAt,
  TOKEN_STATUS,
  type TokenStatusLookup,
} from './token-status-list.js';
export { loadVctRegistry, type SdJwtType, type VctRegistry, vctUrl } from './vct.js';
export { type SdJwtVerifierDeps, verifySdJwtCredential } from './verify-sd-jwt.js';
export { verifySdJwtPresentation } from './verify-sd-jwt-presentation.js';
