/**
 * Proposing an agreement (issue 13 item 2): the consumer's connector accepts the latest version
 * of an offer, as it stands or narrowed (a policy that `narrows` proves within the offer), or
 * either party's connector registers an agreement concluded elsewhere (an ODRL Agreement from a
 * Dataspace Protocol negotiation naming assigner, assignee and target). Either way the result is
 * `proposed`, with the terms both parties must sign (lifecycle/terms.ts). Retries with one
 * `Idempotency-Key` answer the same proposal.
 */
import { randomUUID } from 'node:crypto';
import { inTransaction, isPostgres, isUniqueViolation, reading } from '../../db/index.js';
import { canonicalJson } from '../../json/canonical.js';
import { isDid } from '../../trust/index.js';
import { type AgreementDeps, requireActive, sha256Hex, sidesOf } from '../deps.js';
import { AgreementEntity, type AgreementRow, OfferEntity, OfferVersionEntity } from '../entities.js';
import { AgreementError } from '../errors.js';
import { requireProposalRoom } from '../limits.js';
import { parseInstant } from '../policy/index.js';
import {
  agreementFromOffer,
  parseAgreement,
  profileOf,
  requireWithinOffer,
  storedPolicy,
} from '../policy-use.js';
import { hashTerms } from './terms.js';
import { type AgreementView, agreementView } from './views.js';

/** An acceptance of an offer (by its consumer) or a registration (by either party). */
export type Proposal =
  | {
      readonly kind: 'offer';
      readonly offerId: string;
      /** The version the consumer read: it must be the latest. */
      readonly version: number;
      /** A narrowed ODRL Agreement; absent: the offer's own terms. */
      readonly policy?: unknown;
      readonly endsAt?: string;
    }
  | {
      readonly kind: 'registered';
      /** The ODRL Agreement concluded elsewhere (policy-level `assigner` and `assignee`). */
      readonly agreement: unknown;
      readonly endsAt?: string;
    };

export interface Proposed {
  readonly agreement: AgreementView;
  readonly replayed: boolean;
}

export async function propose(
  deps: AgreementDeps,
  caller: string,
  proposal: Proposal,
  idempotencyKey?: string,
): Promise<Proposed> {
  const now = deps.now();
  const endsAt = checkEnd(proposal.endsAt, now);
  const requestKey =
    idempotencyKey === undefined ? null : sha256Hex(`${caller}\n${checkKey(idempotencyKey)}`);
  const requestHash = sha256Hex(canonicalJson({ ...proposal, endsAt: endsAt ?? null }));
  if (requestKey) {
    const earlier = await byKey(deps, requestKey);
    if (earlier) return replay(earlier, requestHash);
  }
  const rulebook = (await deps.rulebook.current()).rulebook;
  const profile = profileOf(rulebook);
  const id = `agreement-${randomUUID()}`;
  const uid = `urn:uuid:${id.slice('agreement-'.length)}`;
  try {
    const row = await inTransaction(deps.dataSource, undefined, async (manager) => {
      let provider: string;
      let consumer: string;
      let offer: { id: string; version: number; hash: string } | null = null;
      let parsed: ReturnType<typeof parseAgreement>;
      if (proposal.kind === 'offer') {
        const query = manager
          .getRepository(OfferEntity)
          .createQueryBuilder('offer')
          .where('offer.id = :id', { id: proposal.offerId });
        // A new version published meanwhile waits: nothing is accepted that was just replaced.
        if (isPostgres(deps.dataSource)) query.setLock('pessimistic_read');
        const row = await query.getOne();
        if (!row) throw new AgreementError('offer_not_found', `no offer ${proposal.offerId}`);
        if (proposal.version > row.latestVersion) {
          throw new AgreementError(
            'offer_version_not_found',
            `offer ${row.id} has no version ${proposal.version}`,
          );
        }
        if (proposal.version < row.latestVersion) {
          throw new AgreementError(
            'offer_superseded',
            `version ${proposal.version} of offer ${row.id} was replaced by version ${row.latestVersion}`,
            { latestVersion: row.latestVersion },
          );
        }
        const version = await manager
          .getRepository(OfferVersionEntity)
          .findOneBy({ offerId: row.id, version: proposal.version });
        if (!version)
          throw new AgreementError(
            'offer_version_not_found',
            `offer ${row.id} has no version ${proposal.version}`,
          );
        provider = row.providerDid;
        consumer = caller;
        if (consumer === provider) {
          throw new AgreementError('invalid_request', 'a provider does not accept its own offer');
        }
        const offered = storedPolicy(version.policyModel);
        parsed = parseAgreement(proposal.policy ?? agreementFromOffer(offered, uid, consumer), profile, {
          provider,
          consumer,
          target: row.target,
          uid,
        });
        requireWithinOffer(offered, parsed.policy);
        offer = { id: row.id, version: version.version, hash: version.hash };
      } else {
        const raw = proposal.agreement as Record<string, unknown> | null;
        const assigner = raw && typeof raw === 'object' ? raw.assigner : undefined;
        const assignee = raw && typeof raw === 'object' ? raw.assignee : undefined;
        if (
          typeof assigner !== 'string' ||
          !isDid(assigner) ||
          typeof assignee !== 'string' ||
          !isDid(assignee)
        ) {
          throw new AgreementError(
            'invalid_policy',
            'a registered agreement names its assigner (provider) and assignee (consumer) as DIDs at the policy level',
            { path: typeof assigner === 'string' ? '/assignee' : '/assigner' },
          );
        }
        if (assigner === assignee)
          throw new AgreementError('invalid_policy', 'assigner and assignee differ', { path: '/assignee' });
        provider = assigner;
        consumer = assignee;
        if (caller !== provider && caller !== consumer) {
          throw new AgreementError('not_a_party', 'only a party registers an agreement');
        }
        parsed = parseAgreement(proposal.agreement, profile, { provider, consumer, uid });
      }
      const providerEntry = requireActive(await deps.members.member(provider, manager), provider);
      const consumerEntry = requireActive(await deps.members.member(consumer, manager), consumer);
      if (!sidesOf(rulebook, providerEntry.roles).has('supply')) {
        throw new AgreementError(
          'role_not_allowed',
          `the provider ${provider} holds no role on the supply side`,
        );
      }
      if (!sidesOf(rulebook, consumerEntry.roles).has('demand')) {
        throw new AgreementError(
          'role_not_allowed',
          `the consumer ${consumer} holds no role on the demand side`,
        );
      }
      await requireProposalRoom(manager, deps.limits, caller);
      const terms = hashTerms({
        type: 'DataSharingAgreement',
        service: deps.serviceDid,
        id,
        provider,
        consumer,
        target: parsed.target,
        offer,
        policy: JSON.parse(parsed.canonical) as unknown,
        endsAt: endsAt ?? null,
      });
      const at = now.toISOString();
      const row: AgreementRow = {
        id,
        origin: proposal.kind,
        offerId: offer?.id ?? null,
        offerVersion: offer?.version ?? null,
        providerDid: provider,
        consumerDid: consumer,
        target: parsed.target,
        policy: parsed.canonical,
        policyModel: parsed.model,
        terms: terms.canonical,
        hash: terms.hash,
        proposedBy: caller,
        proposedAt: at,
        endsAt: endsAt ?? null,
        status: 'proposed',
        statusAt: at,
        activatedAt: null,
        suspendedParties: '[]',
        providerSignature: null,
        consumerSignature: null,
        endedBy: null,
        endReason: null,
        providerCredentialId: null,
        consumerCredentialId: null,
        providerCredential: null,
        consumerCredential: null,
        uses: 0,
        requestKey,
        requestHash,
      };
      await manager.getRepository(AgreementEntity).insert(row);
      await deps.audit.append(
        {
          kind: 'agreement.proposed',
          actor: caller,
          subject: id,
          data: {
            provider,
            consumer,
            target: row.target,
            hash: row.hash,
            origin: row.origin,
            ...(offer ? { offer } : {}),
          },
        },
        manager,
      );
      return row;
    });
    return { agreement: agreementView(row), replayed: false };
  } catch (error) {
    if (requestKey && isUniqueViolation(error)) {
      const winner = await byKey(deps, requestKey);
      if (winner) return replay(winner, requestHash);
    }
    throw error;
  }
}

function checkEnd(endsAt: unknown, now: Date): string | undefined {
  if (endsAt === undefined) return undefined;
  const instant = typeof endsAt === 'string' ? parseInstant(endsAt) : undefined;
  if (instant === undefined)
    throw new AgreementError(
      'invalid_request',
      'endsAt must be an RFC 3339 date-time with an offset, of a real date and time',
    );
  const end = new Date(instant);
  if (end.getTime() <= now.getTime())
    throw new AgreementError('invalid_period', 'endsAt must be in the future');
  return end.toISOString();
}

function checkKey(key: string): string {
  if (key.length < 1 || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new AgreementError('invalid_request', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
  }
  return key;
}

async function byKey(deps: AgreementDeps, requestKey: string): Promise<AgreementRow | undefined> {
  const row = await reading(deps.dataSource, undefined, (m) =>
    m.getRepository(AgreementEntity).findOneBy({ requestKey }),
  );
  return row ?? undefined;
}

function replay(row: AgreementRow, requestHash: string): Proposed {
  if (row.requestHash !== requestHash) {
    throw new AgreementError(
      'idempotency_conflict',
      'this Idempotency-Key was used for a different proposal',
    );
  }
  return { agreement: agreementView(row), replayed: true };
}
