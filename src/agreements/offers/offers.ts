/**
 * Offers (issue 13 item 1): an active member on the supply side of the rulebook's roles
 * publishes an ODRL Offer for one target (a dataset or service IRI it names), through its
 * authenticated connector or by a statement signed with its DID. Every version is kept with
 * the SHA-256 of its canonical policy; a version never changes (the database refuses it).
 * Publication is idempotent under a key: the statement's `jti`, or the `Idempotency-Key`.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { inTransaction, isPostgres, isUniqueViolation, reading } from '../../db/index.js';
import { canonicalJson } from '../../json/canonical.js';
import { type AgreementDeps, requireActive, sha256Hex, sidesOf } from '../deps.js';
import { OfferEntity, OfferVersionEntity, type OfferVersionRow, type PublishedVia } from '../entities.js';
import { AgreementError } from '../errors.js';
import { requireOfferVersionRoom } from '../limits.js';
import { parseOffer, profileOf } from '../policy-use.js';
import { type OfferPage, type OfferVersionInfo, type OfferView, offerView } from './views.js';

/** How many of the latest versions GET /api/v1/offers/{id} lists; GET .../versions pages through all. */
export const VERSIONS_SHOWN = 20;

/** The `action` of a signed offer statement: `{ iss, aud, iat, jti, action, policy, offerId? }`. */
export const PUBLISH_OFFER_ACTION = 'publish-offer';

export interface PublishedOffer {
  readonly offer: OfferView;
  readonly replayed: boolean;
}

interface Publication {
  readonly provider: string;
  readonly offerId?: string;
  readonly input: unknown;
  readonly via: PublishedVia;
  readonly key?: string;
  readonly statement?: string;
}

export class Offers {
  constructor(private readonly deps: AgreementDeps) {}

  /** A new offer (no `offerId`) or a new version (`offerId`), from a statement signed by the provider. */
  async publishSigned(token: unknown, offerId?: string): Promise<PublishedOffer> {
    const statement = await this.deps.verifyStatement(token);
    const { payload } = statement;
    if (payload.action !== PUBLISH_OFFER_ACTION) {
      throw new AgreementError(
        'statement_mismatch',
        `an offer statement has action "${PUBLISH_OFFER_ACTION}"`,
      );
    }
    if ((payload.offerId ?? undefined) !== offerId) {
      throw new AgreementError(
        'statement_mismatch',
        offerId === undefined
          ? 'a statement publishing a new offer names no offerId'
          : `the statement must name offerId ${offerId}`,
      );
    }
    return this.#publish({
      provider: statement.signer,
      ...(offerId === undefined ? {} : { offerId }),
      input: payload.policy,
      via: 'statement',
      key: `jti:${statement.jti}`,
      statement: token as string,
    });
  }

  /** A new offer (or version of `offerId`) for the member whose connector authenticated. */
  publishByConnector(provider: string, input: unknown, idempotencyKey?: string, offerId?: string) {
    return this.#publish({
      provider,
      ...(offerId === undefined ? {} : { offerId }),
      input,
      via: 'connector',
      ...idempotency(idempotencyKey),
    });
  }

  /**
   * Offers in id order, latest version of each, optionally one provider's or one target's: one
   * indexed query per page. `limit` 1..100 (default 20); `after` is the previous page's `next`.
   */
  async list(
    filter: { provider?: string; target?: string; limit?: number; after?: string } = {},
  ): Promise<OfferPage> {
    const limit = filter.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new AgreementError('invalid_page_size', 'limit must be between 1 and 100');
    }
    const rows = await reading(this.deps.dataSource, undefined, (manager) => {
      const query = manager
        .getRepository(OfferEntity)
        .createQueryBuilder('o')
        .innerJoin(OfferVersionEntity.options.name, 'v', 'v.offerId = o.id AND v.version = o.latestVersion')
        .select('o.id', 'id')
        .addSelect('o.providerDid', 'provider')
        .addSelect('o.target', 'target')
        .addSelect('v.version', 'version')
        .addSelect('v.policy', 'policy')
        .addSelect('v.hash', 'hash')
        .addSelect('v.publishedAt', 'publishedAt')
        .addSelect('v.publishedVia', 'publishedVia');
      if (filter.provider !== undefined)
        query.andWhere('o.providerDid = :provider', { provider: filter.provider });
      if (filter.target !== undefined) query.andWhere('o.target = :target', { target: filter.target });
      if (filter.after !== undefined) query.andWhere('o.id > :after', { after: filter.after });
      return query
        .orderBy('o.id', 'ASC')
        .limit(limit + 1)
        .getRawMany<{
          id: string;
          provider: string;
          target: string;
          version: number | string;
          policy: string;
          hash: string;
          publishedAt: string;
          publishedVia: PublishedVia;
        }>();
    });
    const items = rows.slice(0, limit).map((row) =>
      offerView(
        { id: row.id, providerDid: row.provider, target: row.target },
        {
          offerId: row.id,
          version: Number(row.version),
          hash: row.hash,
          policy: row.policy,
          policyModel: '',
          publishedAt: row.publishedAt,
          publishedVia: row.publishedVia,
          publicationKey: null,
          requestHash: '',
          statement: null,
        },
      ),
    );
    const last = items.at(-1);
    return { items, ...(rows.length > limit && last ? { next: last.id } : {}) };
  }

  /**
   * The latest version with the list of the latest VERSIONS_SHOWN versions (oldest first); the
   * rest page through `versions`. `offer_not_found`.
   */
  async get(id: string): Promise<OfferView> {
    const [offer, versions] = await reading(
      this.deps.dataSource,
      undefined,
      async (manager) =>
        [
          await manager.getRepository(OfferEntity).findOneBy({ id }),
          await manager
            .getRepository(OfferVersionEntity)
            .find({ where: { offerId: id }, order: { version: 'DESC' }, take: VERSIONS_SHOWN }),
        ] as const,
    );
    const latest = versions[0];
    if (!offer || !latest) throw new AgreementError('offer_not_found', `no offer ${id}`);
    return offerView(offer, latest, versions.reverse());
  }

  /**
   * One page of an offer's versions, oldest first, from the one after `after` (a version
   * number, default 0); `limit` 1..100 (default 20). `offer_not_found`, `invalid_page_size`.
   */
  async versions(
    id: string,
    page: { after?: number; limit?: number } = {},
  ): Promise<{ items: OfferVersionInfo[]; next?: number }> {
    const limit = page.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new AgreementError('invalid_page_size', 'limit must be between 1 and 100');
    }
    const after = page.after ?? 0;
    const [offer, rows] = await reading(
      this.deps.dataSource,
      undefined,
      async (manager) =>
        [
          await manager.getRepository(OfferEntity).findOneBy({ id }),
          await manager
            .getRepository(OfferVersionEntity)
            .createQueryBuilder('v')
            .where('v.offerId = :id AND v.version > :after', { id, after })
            .orderBy('v.version', 'ASC')
            .limit(limit + 1)
            .getMany(),
        ] as const,
    );
    if (!offer) throw new AgreementError('offer_not_found', `no offer ${id}`);
    const items = rows
      .slice(0, limit)
      .map((row) => ({ version: row.version, hash: row.hash, publishedAt: row.publishedAt }));
    const last = items.at(-1);
    return { items, ...(rows.length > limit && last ? { next: last.version } : {}) };
  }

  /** One version; `offer_not_found` or `offer_version_not_found`. */
  async version(id: string, version: number, manager?: EntityManager): Promise<OfferView> {
    const [offer, row] = await reading(
      this.deps.dataSource,
      manager,
      async (m) =>
        [
          await m.getRepository(OfferEntity).findOneBy({ id }),
          Number.isSafeInteger(version) && version >= 1
            ? await m.getRepository(OfferVersionEntity).findOneBy({ offerId: id, version })
            : null,
        ] as const,
    );
    if (!offer) throw new AgreementError('offer_not_found', `no offer ${id}`);
    if (!row) throw new AgreementError('offer_version_not_found', `offer ${id} has no version ${version}`);
    return offerView(offer, row);
  }

  async #publish(publication: Publication): Promise<PublishedOffer> {
    const { provider } = publication;
    const rulebook = (await this.deps.rulebook.current()).rulebook;
    const member = requireActive(await this.deps.members.member(provider), provider);
    if (!sidesOf(rulebook, member.roles).has('supply')) {
      throw new AgreementError(
        'role_not_allowed',
        `members in the roles ${member.roles.join(', ')} are on no supply side of the rulebook: they publish no offers`,
      );
    }
    const id = publication.offerId ?? `offer-${randomUUID()}`;
    const parsed = parseOffer(
      publication.input,
      profileOf(rulebook),
      provider,
      `urn:uuid:${id.slice('offer-'.length)}`,
    );
    // Of the input, not of the parsed policy (whose uid is new for each new offer).
    const requestHash = sha256Hex(
      canonicalJson({ offerId: publication.offerId ?? null, input: publication.input ?? null }),
    );
    const publicationKey =
      publication.key === undefined ? null : sha256Hex(`${provider}\n${publication.key}`);
    const earlier = publicationKey ? await this.#byKey(publicationKey) : undefined;
    if (earlier) return this.#replay(earlier, requestHash);
    try {
      const offer = await inTransaction(this.deps.dataSource, undefined, async (manager) => {
        const inserted = await this.#insert(
          manager,
          { ...publication, id },
          parsed,
          requestHash,
          publicationKey,
        );
        await this.deps.audit.append(
          {
            kind: 'agreement.offer.published',
            actor: provider,
            subject: inserted.id,
            data: {
              version: inserted.version,
              hash: inserted.hash,
              target: inserted.target,
              via: publication.via,
            },
          },
          manager,
        );
        return inserted;
      });
      return { offer, replayed: false };
    } catch (error) {
      if (publicationKey && isUniqueViolation(error)) {
        const winner = await this.#byKey(publicationKey);
        if (winner) return this.#replay(winner, requestHash);
      }
      throw error;
    }
  }

  async #insert(
    manager: EntityManager,
    publication: Publication & { readonly id: string },
    parsed: { canonical: string; hash: string; target: string; model: string },
    requestHash: string,
    publicationKey: string | null,
  ): Promise<OfferView> {
    const now = this.deps.now().toISOString();
    await requireOfferVersionRoom(manager, this.deps.limits, publication.provider);
    const offers = manager.getRepository(OfferEntity);
    let id: string;
    let version: number;
    if (publication.offerId === undefined) {
      id = publication.id;
      version = 1;
      await offers.insert({
        id,
        providerDid: publication.provider,
        target: parsed.target,
        latestVersion: 1,
        createdAt: now,
        updatedAt: now,
      });
    } else {
      id = publication.offerId;
      // Locked while its next version is written: an acceptance meanwhile (FOR SHARE) sees one latest version.
      const query = offers.createQueryBuilder('offer').where('offer.id = :id', { id });
      if (isPostgres(this.deps.dataSource)) query.setLock('pessimistic_write');
      const offer = await query.getOne();
      if (!offer) throw new AgreementError('offer_not_found', `no offer ${id}`);
      if (offer.providerDid !== publication.provider) {
        throw new AgreementError('not_offer_provider', 'only the offer’s provider publishes its versions');
      }
      if (offer.target !== parsed.target) {
        throw new AgreementError('invalid_policy', `a new version keeps the offer's target ${offer.target}`, {
          path: '/target',
        });
      }
      version = offer.latestVersion + 1;
      await offers.update({ id }, { latestVersion: version, updatedAt: now });
    }
    const row: OfferVersionRow = {
      offerId: id,
      version,
      hash: parsed.hash,
      policy: parsed.canonical,
      policyModel: parsed.model,
      publishedAt: now,
      publishedVia: publication.via,
      publicationKey,
      requestHash,
      statement: publication.statement ?? null,
    };
    await manager.getRepository(OfferVersionEntity).insert(row);
    return offerView({ id, providerDid: publication.provider, target: parsed.target }, row);
  }

  async #byKey(publicationKey: string): Promise<OfferVersionRow | undefined> {
    const row = await reading(this.deps.dataSource, undefined, (m) =>
      m.getRepository(OfferVersionEntity).findOneBy({ publicationKey }),
    );
    return row ?? undefined;
  }

  async #replay(row: OfferVersionRow, requestHash: string): Promise<PublishedOffer> {
    if (row.requestHash !== requestHash) {
      throw new AgreementError(
        'idempotency_conflict',
        'this idempotency key (or statement jti) was used for a different publication',
      );
    }
    return { offer: await this.version(row.offerId, row.version), replayed: true };
  }
}

function idempotency(key: string | undefined): { key?: string } {
  if (key === undefined) return {};
  if (key.length < 1 || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new AgreementError('invalid_request', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
  }
  return { key: `key:${key}` };
}
