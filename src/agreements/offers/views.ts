/** The public shapes of offers (GET /api/v1/offers[/{id}[/versions/{n}]]). */
import type { OfferVersionRow, PublishedVia } from '../entities.js';

export interface OfferVersionInfo {
  readonly version: number;
  readonly hash: string;
  readonly publishedAt: string;
}

/** One version of an offer: its provider, target, ODRL policy and hash. */
export interface OfferView {
  readonly id: string;
  readonly version: number;
  readonly provider: string;
  readonly target: string;
  /** The ODRL Offer as compact JSON-LD (normalised by src/agreements/policy), as hashed. */
  readonly policy: unknown;
  /** SHA-256 (hex) of the policy's RFC 8785 canonical JSON. */
  readonly hash: string;
  readonly publishedAt: string;
  readonly publishedVia: PublishedVia;
  /** The latest versions (at most VERSIONS_SHOWN), oldest first (GET /api/v1/offers/{id} only; GET .../versions pages through all). */
  readonly versions?: readonly OfferVersionInfo[];
}

export interface OfferPage {
  readonly items: readonly OfferView[];
  /** The `after` of the next page; absent on the last. */
  readonly next?: string;
}

export function offerView(
  offer: { id: string; providerDid: string; target: string },
  row: OfferVersionRow,
  versions?: readonly OfferVersionRow[],
): OfferView {
  return {
    id: offer.id,
    version: row.version,
    provider: offer.providerDid,
    target: offer.target,
    policy: JSON.parse(row.policy) as unknown,
    hash: row.hash,
    publishedAt: row.publishedAt,
    publishedVia: row.publishedVia,
    ...(versions
      ? { versions: versions.map((v) => ({ version: v.version, hash: v.hash, publishedAt: v.publishedAt })) }
      : {}),
  };
}
