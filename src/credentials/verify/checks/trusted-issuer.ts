/**
 * `trusted_issuer`: the issuer is a trust anchor of the data space (or the service itself, or
 * an admitted member the rulebook allows) for this credential's type, within its validity
 * window and claim constraints. DIDs match exactly, and so do the https issuers of SD-JWT VCs
 * (only when `httpsIssuerAllowed`: JWT VC formats name issuers by DID). Codes come from the registry
 * (`untrusted_issuer`, `type_not_allowed`, …).
 */
import type { IssuerTrust } from '../ports.js';
import { type CheckResult, failed, passed } from '../result.js';

export async function checkTrustedIssuer(
  trust: IssuerTrust,
  args: {
    issuer: string;
    httpsIssuerAllowed?: boolean;
    types: readonly string[];
    credential: Readonly<Record<string, unknown>>;
    at: Date;
  },
): Promise<CheckResult> {
  const decision = await trust.check(args);
  if (decision.trusted) return passed('trusted_issuer');
  return failed('trusted_issuer', decision.code, decision.detail);
}
