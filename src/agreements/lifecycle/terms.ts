/**
 * What both parties sign (docs/agreements.md "What is signed"): the agreement's terms as RFC
 * 8785 canonical JSON, hashed with SHA-256. The terms name the service, the agreement id, the
 * two parties, the target, the offer version it came from (if any), the normalised ODRL policy
 * and the end. A party signs `{ iss, aud, iat, jti, action: "sign-agreement", agreement, hash }`:
 * the statement binds the party's DID to exactly these terms and to nothing else.
 */
import { canonicalJson } from '../../json/canonical.js';
import { sha256Hex } from '../deps.js';

export const SIGN_AGREEMENT_ACTION = 'sign-agreement';
export const TERMINATE_AGREEMENT_ACTION = 'terminate-agreement';

export interface AgreementTerms {
  readonly type: 'DataSharingAgreement';
  /** The trust service that registers it (its DID). */
  readonly service: string;
  readonly id: string;
  /** The ODRL assigner. */
  readonly provider: string;
  /** The ODRL assignee. */
  readonly consumer: string;
  readonly target: string;
  /** The offer version accepted, or null for an agreement concluded elsewhere. */
  readonly offer: { readonly id: string; readonly version: number; readonly hash: string } | null;
  /** The normalised ODRL Agreement (src/agreements/policy canonicalPolicy, as JSON). */
  readonly policy: unknown;
  /** When it ends (ISO 8601 UTC), or null: it lasts until terminated. */
  readonly endsAt: string | null;
}

/** The canonical JSON of the terms and its SHA-256 (hex): what is stored and signed. */
export function hashTerms(terms: AgreementTerms): { readonly canonical: string; readonly hash: string } {
  const canonical = canonicalJson(terms);
  return { canonical, hash: sha256Hex(canonical) };
}
