/**
 * Giving consent (issue 11 item 3, the domain part): the citizen, logged in with a wallet,
 * agrees to some or all purposes of the latest version of a notice, as shown to them (its
 * hash). In one transaction: the record, its first history event, a ConsentReceiptCredential
 * (with its status entries) for the citizen's wallet, the `consent.given` event, and the audit
 * entry. A citizen's earlier active consent to the same notice is replaced (superseded) in the
 * same transaction. A repeated request with the same idempotency key answers the same record.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { inTransaction, isPostgres, isUniqueViolation, lockKey, reading } from '../../db/index.js';
import { canonicalJson } from '../../json/canonical.js';
import { isDid } from '../../trust/index.js';
import { type ConsentDeps, DAY_MS, sha256Hex } from '../deps.js';
import {
  ConsentEventEntity,
  ConsentRecordEntity,
  type ConsentRecordRow,
  NoticeEntity,
  NoticeVersionEntity,
} from '../entities.js';
import { ConsentError } from '../errors.js';
import { appendEvent } from '../history.js';
import type { NoticeContent } from '../notices/content.js';
import type { Citizen } from '../pairwise.js';
import { recordHash } from './iso27560.js';
import { auditOf, endConsent } from './lifecycle.js';
import { receiptSubject } from './receipt.js';
import { COLLECTION_METHODS, type CollectionMethod, type ConsentView, consentView } from './views.js';

export interface GiveConsentRequest {
  readonly noticeId: string;
  /** The version the citizen was shown: it must be the notice's latest. */
  readonly version: number;
  /** The hash of that version (NoticeView.hash), as the page showed it. */
  readonly noticeHash: string;
  readonly citizen: Citizen;
  /** The purposes the citizen chose: a non-empty subset of the notice's (nothing is pre-ticked). */
  readonly purposes: readonly string[];
  readonly collectedVia: CollectionMethod;
  /**
   * One key per consent form (e.g. the login interaction's id): submitting it again answers the
   * same record and receipt instead of a second consent.
   */
  readonly idempotencyKey: string;
  /** Default: the service clock. */
  readonly now?: Date;
}

export interface GivenConsent {
  readonly consent: ConsentView;
  /** The ConsentReceiptCredential (jwt_vc_json) for the citizen's wallet. */
  readonly receipt: string;
  /** True when an earlier submission with the same idempotency key was answered. */
  readonly replayed: boolean;
}

const HASH = /^[0-9a-f]{64}$/;

/** The advisory lock class of consents given to one notice by one citizen (an arbitrary, fixed int4). */
const GIVE_LOCK = 795_001_117;

export async function giveConsent(deps: ConsentDeps, request: GiveConsentRequest): Promise<GivenConsent> {
  checkRequest(request);
  const now = request.now ?? deps.now();
  const citizenHash = deps.keys.citizenHash(request.citizen.key);
  const requestKey = sha256Hex(`${citizenHash}\n${request.idempotencyKey}`);
  const requestHash = sha256Hex(
    canonicalJson({
      noticeId: request.noticeId,
      version: request.version,
      noticeHash: request.noticeHash,
      purposes: [...request.purposes].sort(),
      wallet: request.citizen.wallet,
      collectedVia: request.collectedVia,
    }),
  );
  const earlier = await byRequestKey(deps, requestKey);
  if (earlier) return replay(deps, earlier, requestHash);
  for (let attempt = 1; ; attempt++) {
    try {
      const given = await inTransaction(deps.dataSource, undefined, (manager) =>
        give(deps, manager, request, { now, citizenHash, requestKey, requestHash }),
      );
      return { ...given, replayed: false };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A double submission raced this one: answer with the record that committed.
      const winner = await byRequestKey(deps, requestKey);
      if (winner) return replay(deps, winner, requestHash);
      // Another consent to the same notice committed meanwhile (active_key): run again, replacing it.
      if (attempt >= 3) throw error;
    }
  }
}

async function give(
  deps: ConsentDeps,
  manager: EntityManager,
  request: GiveConsentRequest,
  keys: { now: Date; citizenHash: string; requestKey: string; requestHash: string },
): Promise<Omit<GivenConsent, 'replayed'>> {
  const { now, citizenHash } = keys;
  // One citizen's consents to one notice take turns (two tabs, a double submission): the later
  // one reads and replaces what the earlier one committed. Without it, concurrent submissions
  // locked the replaced record and the status list in different orders and PostgreSQL ended
  // them with a deadlock error, a 500 (attack review).
  // The notice read below is request.noticeId's: its active consent is keyed the same way.
  const activeKey = `${request.noticeId}|${citizenHash}`;
  await lockKey(manager, GIVE_LOCK, activeKey);
  const notice = await readNotice(deps, manager, request);
  const chosen = [...new Set(request.purposes)];
  for (const purpose of chosen) {
    if (!notice.purposes.includes(purpose)) {
      throw new ConsentError('purpose_not_in_notice', `the notice does not ask consent for ${purpose}`, {
        purpose,
      });
    }
  }
  const controller = await deps.members.member(notice.controller, manager);
  if (controller?.status !== 'active') {
    throw new ConsentError(
      'controller_not_active',
      `the notice's controller ${notice.controller} is not an active member: its notices gather no consent`,
    );
  }
  const id = `consent-${randomUUID()}`;
  const records = manager.getRepository(ConsentRecordEntity);
  // Locked: a withdrawal of it committing meanwhile (it holds the row's lock) is waited for, and
  // the record is then no longer the active one (its activeKey is cleared), so it is not ended twice.
  const replaced = await records.findOne({
    where: { activeKey },
    ...(isPostgres(deps.dataSource) ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
  // Lapsed already (the expiry job has not come by yet): it ends as expired, when it expired.
  const lapsed = replaced !== null && Date.parse(replaced.expiresAt) <= now.getTime();
  const ended = replaced
    ? await endConsent(
        deps,
        manager,
        replaced,
        lapsed
          ? { status: 'expired', at: new Date(replaced.expiresAt), actor: 'service' }
          : { status: 'superseded', at: now, actor: 'citizen', data: { supersededBy: id } },
      )
    : undefined;
  const superseded: Record<string, string> = replaced && !lapsed ? { supersedes: replaced.id } : {};
  const expiresAt = new Date(now.getTime() + notice.retentionDays * DAY_MS);
  const subjectId = deps.keys.pairwiseId(notice.controller, request.citizen.key);
  // Document order of the notice: the record lists purposes as the notice does.
  const purposes = notice.purposes.filter((purpose) => chosen.includes(purpose));
  const receipt = await deps.issuer.issue(
    {
      type: 'ConsentReceiptCredential',
      format: 'jwt_vc_json',
      subject: receiptSubject({
        wallet: request.citizen.wallet,
        consentId: id,
        notice,
        noticeHash: request.noticeHash,
        controllerName: controller.legalName,
        subjectId,
        purposes,
        givenAt: now,
        expiresAt,
      }),
      validFrom: now,
      validUntil: expiresAt,
      recordAs: id,
    },
    manager,
  );
  const facts: Omit<ConsentRecordRow, 'recordHash'> = {
    id,
    noticeId: notice.id,
    noticeVersion: notice.version,
    noticeHash: request.noticeHash,
    controllerDid: notice.controller,
    subjectId,
    citizenHash,
    purposes: JSON.stringify(purposes),
    dataCategories: JSON.stringify(notice.dataCategories),
    recipients: JSON.stringify(notice.recipients),
    legalBasis: notice.legalBasis,
    collectionMethod: canonicalJson(request.collectedVia),
    givenAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    status: 'given',
    statusAt: now.toISOString(),
    endedAt: null,
    receiptId: receipt.id,
    receiptSealed: deps.keys.seal(receipt.jwt, id),
    requestKey: keys.requestKey,
    requestHash: keys.requestHash,
    activeKey,
  };
  const row: ConsentRecordRow = { ...facts, recordHash: recordHash(facts) };
  await records.insert(row);
  const event = await appendEvent(manager, id, {
    event: 'given',
    at: now,
    actor: 'citizen',
    data: superseded,
  });
  // Audit entries, then events: audit head before event head, the one lock order (records/lifecycle.ts).
  if (replaced && ended) {
    await deps.audit.append(auditOf(replaced, ended.event, lapsed ? {} : { supersededBy: id }), manager);
  }
  await deps.audit.append(auditOf(row, event, superseded), manager);
  if (ended) await deps.events.emit(manager, ended.outbox);
  await deps.events.emit(manager, {
    type: 'consent.given',
    subject: id,
    audience: [notice.controller, ...notice.recipients],
    data: {
      consentId: id,
      subject: subjectId,
      noticeId: notice.id,
      noticeVersion: notice.version,
      purposes,
      givenAt: row.givenAt,
      expiresAt: row.expiresAt,
      ...superseded,
    },
  });
  return { consent: consentView(row, [event]), receipt: receipt.jwt };
}

/**
 * The notice version consented to, read under a share lock on the notice (PostgreSQL) so that a
 * new version published meanwhile waits: consent is never given to a version already replaced.
 */
async function readNotice(
  deps: ConsentDeps,
  manager: EntityManager,
  request: GiveConsentRequest,
): Promise<NoticeContent> {
  const query = manager.getRepository(NoticeEntity).createQueryBuilder('notice').where('notice.id = :id', {
    id: request.noticeId,
  });
  if (isPostgres(deps.dataSource)) query.setLock('pessimistic_read');
  const notice = await query.getOne();
  if (!notice) throw new ConsentError('notice_not_found', `no notice ${request.noticeId}`);
  if (request.version > notice.latestVersion) {
    throw new ConsentError(
      'notice_version_not_found',
      `notice ${notice.id} has no version ${request.version}`,
    );
  }
  if (request.version < notice.latestVersion) {
    throw new ConsentError(
      'notice_version_superseded',
      `version ${request.version} of notice ${notice.id} was replaced by version ${notice.latestVersion}: show the citizen the latest`,
      { latestVersion: notice.latestVersion },
    );
  }
  const version = await manager
    .getRepository(NoticeVersionEntity)
    .findOneBy({ noticeId: notice.id, version: request.version });
  if (!version)
    throw new ConsentError(
      'notice_version_not_found',
      `notice ${notice.id} has no version ${request.version}`,
    );
  if (version.hash !== request.noticeHash) {
    throw new ConsentError(
      'notice_hash_mismatch',
      'the notice shown to the citizen is not this version (its hash differs)',
    );
  }
  return JSON.parse(version.content) as NoticeContent;
}

function checkRequest(request: GiveConsentRequest): void {
  const invalid = (detail: string): never => {
    throw new ConsentError('invalid_request', detail);
  };
  if (typeof request.noticeId !== 'string' || request.noticeId.length === 0 || request.noticeId.length > 64) {
    invalid('noticeId must be a notice id');
  }
  if (!Number.isSafeInteger(request.version) || request.version < 1)
    invalid('version must be a whole number from 1');
  if (typeof request.noticeHash !== 'string' || !HASH.test(request.noticeHash)) {
    invalid('noticeHash must be the notice version’s hash (64 hex digits)');
  }
  const { citizen } = request;
  if (typeof citizen?.key !== 'string' || citizen.key.length === 0 || citizen.key.length > 600) {
    invalid('citizen.key must be the citizen’s key (see citizenFromLogin)');
  }
  if (typeof citizen.wallet !== 'string' || !isDid(citizen.wallet)) invalid('citizen.wallet must be a DID');
  if (!Array.isArray(request.purposes) || request.purposes.some((purpose) => typeof purpose !== 'string')) {
    invalid('purposes must be an array of DPV purposes');
  }
  if (request.purposes.length === 0)
    throw new ConsentError('no_purpose', 'choose at least one purpose to consent to');
  const via = request.collectedVia;
  if (!COLLECTION_METHODS.includes(via?.method))
    invalid(`collectedVia.method must be one of ${COLLECTION_METHODS.join(', ')}`);
  if (via.clientId !== undefined && (typeof via.clientId !== 'string' || via.clientId.length > 200)) {
    invalid('collectedVia.clientId must be a client id of at most 200 characters');
  }
  const key = request.idempotencyKey;
  if (typeof key !== 'string' || key.length === 0 || key.length > 200)
    invalid('idempotencyKey must have 1 to 200 characters');
  if (request.now !== undefined && !(request.now instanceof Date && Number.isFinite(request.now.getTime()))) {
    invalid('now must be a valid Date');
  }
}

async function byRequestKey(deps: ConsentDeps, requestKey: string): Promise<ConsentRecordRow | undefined> {
  const row = await reading(deps.dataSource, undefined, (manager) =>
    manager.getRepository(ConsentRecordEntity).findOneBy({ requestKey }),
  );
  return row ?? undefined;
}

async function replay(deps: ConsentDeps, row: ConsentRecordRow, requestHash: string): Promise<GivenConsent> {
  if (row.requestHash !== requestHash) {
    throw new ConsentError(
      'idempotency_conflict',
      'this consent form was already submitted with different choices',
    );
  }
  const events = await reading(deps.dataSource, undefined, (manager) =>
    manager.getRepository(ConsentEventEntity).findBy({ consentId: row.id }),
  );
  if (row.receiptSealed === null) throw new ConsentError('consent_not_found', 'this consent was erased');
  return {
    consent: consentView(row, events),
    receipt: deps.keys.open(row.receiptSealed, row.id),
    replayed: true,
  };
}
