/**
 * The machine-readable rulebook: loading and validating rulebook/rulebook.yaml, the typed
 * model the other capabilities ask (`rule`, `evidenceFor`, `allowsDidMethod`, ...), the board's
 * decision arithmetic (`tally`), the adopted versions in the database and their routes.
 */
export { canonicalJson, sha256Hex } from './canonical.js';
export {
  CONSENT_LEGAL_BASES,
  CONSENT_TERM_PREFIXES,
  ConsentVocabulary,
  EXPLICIT_CONSENT,
  expandTerm,
  localise,
} from './consent-vocabulary.js';
export { type DiffHunk, type DiffLine, diffRulebooks, prettyRulebook, type RulebookDiff } from './diff.js';
export { RULEBOOK_ENTITIES, type RulebookVersionRow } from './entities.js';
export {
  InvalidRolesError,
  RulebookError,
  type RulebookErrorCode,
  RulebookStoreError,
  type RulebookStoreErrorCode,
} from './errors.js';
export { loadRulebook, RULEBOOK_FILES } from './loader.js';
export { openRulebook, type RulebookCapability, type RulebookOptions } from './module.js';
export { parseRulebook, RULEBOOK_SCHEMA_FILE } from './parse.js';
export { rulebookRoutes } from './routes.js';
export { Rulebook } from './rulebook.js';
export { consistencyProblems, RESOLVABLE_DID_METHODS, SERVICE_ISSUED_TYPES } from './semantics.js';
export { compareSemver, isSemver } from './semver.js';
export {
  type AdoptedRulebook,
  type AdoptionStatus,
  OPERATOR,
  RulebookStore,
  type RulebookStoreOptions,
  type RulebookVersionInfo,
} from './store.js';
export {
  electorate,
  type TallyContext,
  type TallyOutcome,
  type TallyReason,
  type TallyResult,
  tally,
  type Vote,
} from './tally.js';
export {
  BOARD_MOTION_KINDS,
  type ClaimSource,
  type ConsentTerm,
  type ConsentTerms,
  type DataCategoryTerm,
  type DecisionRule,
  type DidHolder,
  type EvidenceRequirement,
  type LocalisedText,
  type MembershipTerms,
  MOTION_KINDS,
  type MotionKind,
  type NaturalPersonLogin,
  type RoleDefinition,
  type RulebookDocument,
  type Side,
} from './types.js';
