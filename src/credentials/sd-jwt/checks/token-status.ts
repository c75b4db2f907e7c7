/**
 * `status` of an SD-JWT VC (SD-JWT VC §3.2.2.2 `status`; Token Status List §6.2, §7.1). The
 * credential's `status.status_list` (`idx`, `uri`) is read through the TokenStatusLookup,
 * which verifies the Status List Token (see token-status-list.ts). Value 0 (VALID) passes,
 * 1 (INVALID) fails with `revoked`, 2 (SUSPENDED) with `suspended`, any other value with
 * `status_set` (an application-specific status this service cannot read as valid). A `status`
 * claim with no `status_list` names a mechanism this service does not read:
 * `unsupported_status`, never a silent pass. No `status` at all is `skipped` (`no_status`).
 * Lookup failures keep their codes: `status_invalid`, `status_unavailable`,
 * `status_list_invalid`, `status_issuer_mismatch`, `status_index_out_of_range`,
 * `fetch_budget_exhausted`.
 *
 * Bitstring Status List (W3C Bitstring Status List 1.0) in an SD-JWT VC: the IANA status
 * mechanisms registry names no member for it, so this service reads
 * `status.bitstring_status_list`, one BitstringStatusListEntry (§2.1) or an array of them, with
 * the same check as a W3C credential's `credentialStatus` (checks/status.ts: `revoked`,
 * `suspended`, `too_many_status_entries`, the lookup's codes); an empty array or a non-object
 * entry is `status_invalid`. A credential carrying both mechanisms must pass both.
 */
import { checkStatus } from '../../verify/checks/status.js';
import { type FetchBudget, type StatusLookup, StatusLookupError } from '../../verify/ports.js';
import { type CheckResult, failed, passed, skipped } from '../../verify/result.js';
import { TOKEN_STATUS, type TokenStatusLookup } from '../token-status-list.js';

export async function checkTokenStatus(
  status: unknown,
  issuer: string,
  lookup: TokenStatusLookup,
  budget?: FetchBudget,
  bitstrings?: StatusLookup,
): Promise<CheckResult> {
  if (status === undefined) return skipped('status', 'no_status', 'the credential has no status claim');
  if (status === null || typeof status !== 'object' || Array.isArray(status))
    return failed('status', 'status_invalid', 'status is not an object');
  const reference = (status as Record<string, unknown>).status_list;
  const bitstring = (status as Record<string, unknown>).bitstring_status_list;
  if (reference === undefined && (bitstring === undefined || bitstrings === undefined))
    return failed('status', 'unsupported_status', 'the status claim names no status mechanism read here');
  if (reference !== undefined) {
    const token = await tokenStatus(reference, issuer, lookup, budget);
    if (token.result !== 'passed' || bitstring === undefined || bitstrings === undefined) return token;
  }
  const entries = Array.isArray(bitstring) ? bitstring : [bitstring];
  if (entries.length === 0 || entries.some((e) => e === null || typeof e !== 'object' || Array.isArray(e)))
    return failed('status', 'status_invalid', 'bitstring_status_list holds no BitstringStatusListEntry');
  return checkStatus(entries, issuer, bitstrings as StatusLookup, budget);
}

async function tokenStatus(
  reference: unknown,
  issuer: string,
  lookup: TokenStatusLookup,
  budget?: FetchBudget,
): Promise<CheckResult> {
  let value: number;
  try {
    value = await lookup.status(reference, issuer, budget);
  } catch (error) {
    if (error instanceof StatusLookupError) return failed('status', error.code, error.message);
    throw error;
  }
  if (value === TOKEN_STATUS.valid) return passed('status');
  if (value === TOKEN_STATUS.invalid) return failed('status', 'revoked', 'the status list says INVALID');
  if (value === TOKEN_STATUS.suspended)
    return failed('status', 'suspended', 'the status list says SUSPENDED');
  return failed('status', 'status_set', `the status list holds status ${value}`);
}
