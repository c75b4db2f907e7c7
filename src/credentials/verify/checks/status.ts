/**
 * `status` (Bitstring Status List 1.0 §3.2 "Validate Algorithm"). Every `credentialStatus`
 * entry is checked; none may be ignored. The status list credential is itself verified and
 * must come from the credential's issuer (the StatusLookup enforces both). A set bit for
 * `revocation` fails with `revoked`, for `suspension` with `suspended`. A list that cannot be
 * fetched or verified fails with its code (`status_unavailable`, …): never a silent pass.
 *
 * Bounded work: a credential with more than MAX_STATUS_ENTRIES entries is refused with
 * `too_many_status_entries` before any list is read, and every list fetched over the network
 * takes one fetch from the request's budget (`fetch_budget_exhausted` once it is spent). The
 * pipeline runs this check only for an issuer trusted for the credential's types, so an
 * untrusted issuer never makes the service fetch anything.
 */
import type { StatusEntry } from '../model.js';
import { type FetchBudget, type StatusLookup, StatusLookupError } from '../ports.js';
import { type CheckResult, failed, passed, skipped } from '../result.js';

const CODE_FOR_PURPOSE: Readonly<Record<string, string>> = { revocation: 'revoked', suspension: 'suspended' };

/**
 * The most `credentialStatus` entries a credential may carry. Bitstring Status List issuers
 * use one per purpose (revocation, suspension, and rarely message or refresh).
 */
export const MAX_STATUS_ENTRIES = 4;

const isEntry = (value: unknown): value is StatusEntry =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export async function checkStatus(
  entries: readonly unknown[],
  issuer: string,
  statuses: StatusLookup,
  budget?: FetchBudget,
): Promise<CheckResult> {
  if (entries.length === 0) return skipped('status', 'no_status', 'the credential has no credentialStatus');
  if (entries.length > MAX_STATUS_ENTRIES) {
    return failed(
      'status',
      'too_many_status_entries',
      `the credential has ${entries.length} credentialStatus entries; at most ${MAX_STATUS_ENTRIES} are read`,
    );
  }
  // An entry that cannot be read may be the one that says "revoked": refuse it, never drop it.
  if (!entries.every(isEntry))
    return failed('status', 'status_invalid', 'a credentialStatus entry is not an object');
  const results = await Promise.all(
    entries.map(async (entry) => {
      try {
        return await statuses.isSet(entry, issuer, budget);
      } catch (error) {
        if (error instanceof StatusLookupError) return error;
        throw error;
      }
    }),
  );
  for (const result of results) {
    if (result instanceof StatusLookupError) return failed('status', result.code, result.message);
  }
  for (const result of results as Array<{ purpose: string; set: boolean }>) {
    if (result.set) {
      return failed(
        'status',
        CODE_FOR_PURPOSE[result.purpose] ?? 'status_set',
        `the ${result.purpose} bit is set`,
      );
    }
  }
  return passed('status');
}
