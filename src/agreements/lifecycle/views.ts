/** The shape of an agreement for its parties (GET /api/v1/agreements/{id}). */
import type { AgreementOrigin, AgreementRow, AgreementStatus } from '../entities.js';
import type { AgreementTerms } from './terms.js';

export interface AgreementView {
  readonly id: string;
  readonly origin: AgreementOrigin;
  readonly status: AgreementStatus;
  readonly statusAt: string;
  readonly provider: string;
  readonly consumer: string;
  readonly target: string;
  /** The terms both parties sign (their canonical JSON is hashed). */
  readonly terms: AgreementTerms;
  /** SHA-256 (hex) of the terms' RFC 8785 canonical JSON: what each party signs. */
  readonly hash: string;
  readonly proposedBy: string;
  readonly proposedAt: string;
  readonly activatedAt?: string;
  readonly endsAt?: string;
  /** Which parties have signed. */
  readonly signed: { readonly provider: boolean; readonly consumer: boolean };
  /** Parties whose suspension holds the agreement suspended. */
  readonly suspendedParties: readonly string[];
  /** Uses recorded by the check. */
  readonly uses: number;
  readonly endedBy?: string;
  readonly endReason?: string;
}

export function agreementView(row: AgreementRow): AgreementView {
  return {
    id: row.id,
    origin: row.origin,
    status: row.status,
    statusAt: row.statusAt,
    provider: row.providerDid,
    consumer: row.consumerDid,
    target: row.target,
    terms: JSON.parse(row.terms) as AgreementTerms,
    hash: row.hash,
    proposedBy: row.proposedBy,
    proposedAt: row.proposedAt,
    ...(row.activatedAt ? { activatedAt: row.activatedAt } : {}),
    ...(row.endsAt ? { endsAt: row.endsAt } : {}),
    signed: { provider: row.providerSignature !== null, consumer: row.consumerSignature !== null },
    suspendedParties: JSON.parse(row.suspendedParties) as string[],
    uses: Number(row.uses),
    ...(row.endedBy ? { endedBy: row.endedBy } : {}),
    ...(row.endReason ? { endReason: row.endReason } : {}),
  };
}

/** The party's side of an agreement, or undefined for anyone else. */
export function sideOf(row: Pick<AgreementRow, 'providerDid' | 'consumerDid'>, did: string) {
  if (did === row.providerDid) return 'provider' as const;
  if (did === row.consumerDid) return 'consumer' as const;
  return undefined;
}
