/**
 * Credential types that only a board decision gives: a MembershipCredential follows an
 * admission (or renewal) motion, a BoardMemberCredential a seat given by the operator's
 * `board add` (first seats) or an add-board-member motion. The operator's
 * `credentials issue` refuses them unless forced (and audited as forced).
 */
export const BOARD_DECIDED_CREDENTIAL_TYPES: readonly string[] = Object.freeze([
  'MembershipCredential',
  'BoardMemberCredential',
]);
