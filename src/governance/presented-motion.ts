/**
 * A motion opened through the wallet (issue 14 item 3; presented-statement.ts verifies the
 * presentation): the item is `{ "type": "dataspace_motion", "credential_ids": [...], "kind",
 * "subject", "reason", "name"?, "affiliations"? }`, the fields of the signed statement
 * `GovernanceEngine.openMotion` takes. The engine then applies the same rules to both.
 *
 * Codes (GovernanceError, 400): those of presented-statement.ts, with `motion_not_signed` when
 * the presentation does not sign the item's hash.
 */
import type { PresentedStatement } from './presented-statement.js';
import { verifyPresentedStatement } from './presented-statement.js';
import type { StatementOptions, VerifiedStatement } from './signed-statement.js';

export const MOTION_TRANSACTION_TYPE = 'dataspace_motion';

export type PresentedMotion = PresentedStatement;

/** The motion as a verified statement of its signer: `payload` holds the item's motion fields. */
export async function verifyPresentedMotion(
  motion: PresentedMotion,
  options: StatementOptions,
): Promise<VerifiedStatement> {
  const { signer, item, jti, iat } = await verifyPresentedStatement(
    motion,
    { type: MOTION_TRANSACTION_TYPE, notSignedCode: 'motion_not_signed' },
    options,
  );
  const { kind, subject, reason, name, affiliations } = item;
  return {
    signer,
    payload: {
      kind,
      subject,
      reason,
      ...(name !== undefined ? { name } : {}),
      ...(affiliations !== undefined ? { affiliations } : {}),
    },
    jti,
    iat,
  };
}
