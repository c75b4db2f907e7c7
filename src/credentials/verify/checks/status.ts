/**
 * `status` (Bitstring Status List 1.0 §3.2 "Validate Algorithm"). Every `credentialStatus`
 * entry is checked; none may be ignored. The status list credential is itself verified and
 * must come from the credential's issuer (the StatusLookup enforces both). A set bit for
 * `revocation` fails with `revoked`, for `suspension` with `suspended`. A list that cannot be
 * fetched or verified fails with its code (`status_unavailable`, …): never a silent pass.
 */
import type { StatusEntry } from '../model.js';
import { type StatusLookup, StatusLookupError } from '../ports.js';
import { type CheckResult, failed, passed, skipped } from '../result.js';

const CODE_FOR_PURPOSE: Readonly<Record<string, string>> = { revocation: 'revoked', suspension: 'suspended' };

const isEntry = (value: unknown): value is StatusEntry =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export async function checkStatus(
  entries: readonly unknown[],
  issuer: string,
  statuses: StatusLookup,
): Promise<CheckResult> {
  if (entries.length === 0) return skipped('status', 'no_status', 'the credential has no credentialStatus');
  // An entry that cannot be read may be the one that says "revoked": refuse it, never drop it.
  if (!entries.every(isEntry))
    return failed('status', 'status_invalid', 'a credentialStatus entry is not an object');
  const results = await Promise.all(
    entries.map(async (entry) => {
      try {
        return await statuses.isSet(entry, issuer);
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
