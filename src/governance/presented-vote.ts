/**
 * A vote signed through the wallet (issue 14 item 3; presented-statement.ts verifies the
 * presentation): the item is `{ "type": "dataspace_vote", "credential_ids": [...], "motion": id,
 * "decision": "approve" | "reject", "reason"?: text }`.
 *
 * Codes (GovernanceError, 400): those of presented-statement.ts, with `vote_not_signed` when
 * the presentation does not sign the item's hash.
 */
import type { PresentedStatement } from './presented-statement.js';
import { verifyPresentedStatement } from './presented-statement.js';
import type { StatementOptions, VerifiedStatement } from './signed-statement.js';

export const VOTE_TRANSACTION_TYPE = 'dataspace_vote';

export type PresentedVote = PresentedStatement;

/**
 * The vote as a verified statement of its signer: `payload` holds `motion`, `decision` and
 * `reason` from the item, `jti` and `iat` from the presentation.
 */
export async function verifyPresentedVote(
  vote: PresentedVote,
  options: StatementOptions,
): Promise<VerifiedStatement> {
  const { signer, item, jti, iat } = await verifyPresentedStatement(
    vote,
    { type: VOTE_TRANSACTION_TYPE, notSignedCode: 'vote_not_signed' },
    options,
  );
  return {
    signer,
    payload: { motion: item.motion, decision: item.decision, reason: item.reason },
    jti,
    iat,
  };
}
