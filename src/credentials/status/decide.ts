/** Which bit of a credential's Bitstring entries a status change sets, or why it is refused. */
import type { StatusEntryRow, StatusPurpose } from './entities.js';
import { StatusListError } from './errors.js';

/** A status change of a credential. */
export type Change = 'revoke' | 'suspend' | 'reinstate';

/** Which bit a change sets, or why it is refused. */
export function decide(
  change: Change,
  credentialId: string,
  rows: readonly StatusEntryRow[],
): { row: StatusEntryRow; to: 0 | 1 } {
  if (rows.length === 0) throw unknownCredential(credentialId);
  const revocation = rows.find((row) => row.purpose === 'revocation');
  const suspension = rows.find((row) => row.purpose === 'suspension');
  if (revocation?.status === 1)
    throw new StatusListError(
      'already_revoked',
      `credential ${credentialId} is revoked; revocation is final`,
    );
  switch (change) {
    case 'revoke':
      if (!revocation) throw noEntry(credentialId, 'revocation');
      return { row: revocation, to: 1 };
    case 'suspend':
      if (!suspension) throw noEntry(credentialId, 'suspension');
      if (suspension.status === 1)
        throw new StatusListError('already_suspended', `credential ${credentialId} is already suspended`);
      return { row: suspension, to: 1 };
    case 'reinstate':
      if (suspension?.status !== 1)
        throw new StatusListError('not_suspended', `credential ${credentialId} is not suspended`);
      return { row: suspension, to: 0 };
  }
}

export function unknownCredential(credentialId: string): StatusListError {
  return new StatusListError('unknown_credential', `no status entry belongs to credential ${credentialId}`);
}

export function noEntry(credentialId: string, purpose: StatusPurpose): StatusListError {
  return new StatusListError('no_status_entry', `credential ${credentialId} has no ${purpose} entry`);
}
