/**
 * Bounds on what one member keeps open in the register (issue 13 review item 2; configured by
 * AGREEMENT_MAX_OPEN_PROPOSALS and AGREEMENT_MAX_OFFER_VERSIONS, docs/agreements.md "Limits"):
 * agreements it proposed that are still `proposed`, and versions of its offers (all offers
 * together). A write that would pass a bound is refused with `too_many_open_proposals` or
 * `too_many_offer_versions` (409) and changes nothing. Counted in the writing transaction under
 * a per-member lock (PostgreSQL advisory lock; SQLite's transactions take turns), so racing
 * writes on any number of replicas never pass a bound.
 */
import type { EntityManager } from 'typeorm';
import { lockKey } from '../db/index.js';
import { AgreementEntity, OfferEntity } from './entities.js';
import { AgreementError } from './errors.js';

export interface AgreementLimits {
  /** Agreements a member proposed that neither party has yet signed to the end (status `proposed`). */
  readonly maxOpenProposals: number;
  /** Versions of a member's offers, all offers together. */
  readonly maxOfferVersions: number;
}

export const DEFAULT_AGREEMENT_LIMITS: AgreementLimits = { maxOpenProposals: 100, maxOfferVersions: 1000 };

/** The advisory lock class of the register's per-member bounds (an arbitrary, fixed int4). */
const LIMIT_LOCK = 795_000_730;

function lockMember(manager: EntityManager, did: string): Promise<void> {
  return lockKey(manager, LIMIT_LOCK, did);
}

/** Refuses a new proposal by `did` when it has `maxOpenProposals` open already. */
export async function requireProposalRoom(
  manager: EntityManager,
  limits: AgreementLimits,
  did: string,
): Promise<void> {
  await lockMember(manager, did);
  const open = await manager.getRepository(AgreementEntity).countBy({ proposedBy: did, status: 'proposed' });
  if (open >= limits.maxOpenProposals) {
    throw new AgreementError(
      'too_many_open_proposals',
      `${did} has ${open} proposed agreements not yet signed by both parties; at most ${limits.maxOpenProposals}: sign or terminate some first`,
      { limit: limits.maxOpenProposals },
    );
  }
}

/** Refuses a new offer version by `did` when its offers hold `maxOfferVersions` versions already. */
export async function requireOfferVersionRoom(
  manager: EntityManager,
  limits: AgreementLimits,
  did: string,
): Promise<void> {
  await lockMember(manager, did);
  const row = (await manager
    .getRepository(OfferEntity)
    .createQueryBuilder('offer')
    .select('COALESCE(SUM(offer.latestVersion), 0)', 'versions')
    .where('offer.providerDid = :did', { did })
    .getRawOne()) as { versions: number | string } | undefined;
  const versions = Number(row?.versions ?? 0);
  if (versions >= limits.maxOfferVersions) {
    throw new AgreementError(
      'too_many_offer_versions',
      `the offers of ${did} hold ${versions} versions; at most ${limits.maxOfferVersions}`,
      { limit: limits.maxOfferVersions },
    );
  }
}
