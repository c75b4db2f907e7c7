/**
 * The DCQL query (OpenID4VP 1.0 §6) of a membership application: one `jwt_vc_json` credential
 * query per evidence credential type the rulebook asks for, with the claims the rulebook
 * requires of it (§6.3 `claims`, paths in data-model form). Every query must be answered (no
 * credential sets): the admission checks need all the evidence.
 */
import type { DcqlQuery, JwtVcCredentialQuery } from './dcql.js';

/** One evidence rule, as the membership capability reads it from the rulebook. */
export interface EvidenceRequirement {
  readonly credentialType: string;
  readonly requiredClaims: readonly string[];
}

/** The query id of an evidence type: `evidence-` and the type in lower case (DCQL ids are [A-Za-z0-9_-]). */
export function evidenceQueryId(credentialType: string): string {
  return `evidence-${credentialType.replace(/[^A-Za-z0-9_-]/g, '_').toLowerCase()}`;
}

export function queryForEvidence(requirements: readonly EvidenceRequirement[]): DcqlQuery {
  const byType = new Map<string, Set<string>>();
  for (const requirement of requirements) {
    const claims = byType.get(requirement.credentialType) ?? new Set<string>();
    for (const claim of requirement.requiredClaims) claims.add(claim);
    byType.set(requirement.credentialType, claims);
  }
  const credentials: JwtVcCredentialQuery[] = [...byType].map(([type, claims]) => ({
    id: evidenceQueryId(type),
    format: 'jwt_vc_json',
    meta: { type_values: [[type]] },
    ...(claims.size > 0 ? { claims: [...claims].map((path) => ({ path: path.split('.') })) } : {}),
  }));
  return { credentials };
}
