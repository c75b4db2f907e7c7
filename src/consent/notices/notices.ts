/**
 * Notices (issue 11 item 1): an active member whose role the rulebook allows publishes what it
 * asks citizens to consent to, by a statement signed with its DID or through its authenticated
 * connector. Every version is kept with the SHA-256 of its canonical JSON; a version never
 * changes (the database refuses it). Publication is idempotent under a key: the statement's
 * `jti`, or the connector's `Idempotency-Key`.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { inTransaction, isPostgres, isUniqueViolation, reading } from '../../db/index.js';
import { canonicalJson } from '../../json/canonical.js';
import type { ConsentVocabulary, Rulebook } from '../../rulebook/index.js';
import { type ConsentDeps, sha256Hex } from '../deps.js';
import { NoticeEntity, NoticeVersionEntity, type NoticeVersionRow, type PublishedVia } from '../entities.js';
import { ConsentError } from '../errors.js';
import { type NoticeContent, type NoticeInput, validateNoticeInput } from './content.js';
import { type NoticePage, type NoticeVersionInfo, type NoticeView, noticePage } from './views.js';

/** The `action` of a signed notice statement: `{ iss, aud, iat, jti, action, notice, noticeId? }`. */
export const PUBLISH_NOTICE_ACTION = 'publish-notice';

/** The version published; `replayed` when an earlier publication with the same key was answered. */
export interface PublishedNotice {
  readonly notice: NoticeView;
  readonly replayed: boolean;
}

interface Publication {
  readonly controller: string;
  /** Absent: a new notice. */
  readonly noticeId?: string;
  readonly input: unknown;
  readonly via: PublishedVia;
  /** The statement's jti or the connector's Idempotency-Key. */
  readonly key?: string;
  readonly statement?: string;
}

export class Notices {
  constructor(private readonly deps: ConsentDeps) {}

  /** Publishes a new notice from a statement signed by the controller (`action: publish-notice`, no `noticeId`). */
  async publishSigned(token: unknown): Promise<PublishedNotice> {
    const statement = await this.#statement(token, undefined);
    return this.#publish({ ...statement, via: 'statement', statement: token as string });
  }

  /** Publishes a new version of `noticeId` from a statement signed by its controller (naming `noticeId`). */
  async publishVersionSigned(noticeId: string, token: unknown): Promise<PublishedNotice> {
    const statement = await this.#statement(token, noticeId);
    return this.#publish({ ...statement, noticeId, via: 'statement', statement: token as string });
  }

  /** Publishes a new notice for the member whose connector authenticated (`controller`). */
  publishByConnector(controller: string, input: unknown, idempotencyKey?: string): Promise<PublishedNotice> {
    return this.#publish({ controller, input, via: 'connector', ...key(idempotencyKey) });
  }

  /** Publishes a new version of `noticeId` for the member whose connector authenticated. */
  publishVersionByConnector(
    controller: string,
    noticeId: string,
    input: unknown,
    idempotencyKey?: string,
  ): Promise<PublishedNotice> {
    return this.#publish({ controller, noticeId, input, via: 'connector', ...key(idempotencyKey) });
  }

  /**
   * Notices in id order, newest version of each (without its text), optionally only one
   * controller's: one indexed query per page. `limit` 1..100 (default 20); `after` is the
   * previous page's `next`.
   */
  async list(filter: { controller?: string; limit?: number; after?: string } = {}): Promise<NoticePage> {
    const limit = filter.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new ConsentError('invalid_page_size', 'limit must be between 1 and 100');
    }
    const rows = await reading(this.deps.dataSource, undefined, (manager) => {
      const query = manager
        .getRepository(NoticeEntity)
        .createQueryBuilder('n')
        .innerJoin(NoticeVersionEntity.options.name, 'v', 'v.noticeId = n.id AND v.version = n.latestVersion')
        .select('n.id', 'id')
        .addSelect('v.content', 'content')
        .addSelect('v.hash', 'hash');
      if (filter.controller !== undefined) {
        query.andWhere('n.controllerDid = :controller', { controller: filter.controller });
      }
      if (filter.after !== undefined) query.andWhere('n.id > :after', { after: filter.after });
      return query
        .orderBy('n.id', 'ASC')
        .limit(limit + 1)
        .getRawMany<{ id: string; content: string; hash: string }>();
    });
    return noticePage(rows, limit);
  }

  /** The latest version with the list of every version; `notice_not_found` for an unknown id. */
  async get(id: string): Promise<NoticeView> {
    const versions = await reading(this.deps.dataSource, undefined, (manager) =>
      manager.getRepository(NoticeVersionEntity).find({ where: { noticeId: id }, order: { version: 'ASC' } }),
    );
    const latest = versions.at(-1);
    if (!latest) throw new ConsentError('notice_not_found', `no notice ${id}`);
    return view(latest, versions);
  }

  /** One version; `notice_not_found` or `notice_version_not_found`. */
  async version(id: string, version: number): Promise<NoticeView> {
    const row = await this.#versionRow(id, version);
    return view(row);
  }

  /** The stored content of one version (what the citizen is shown); same refusals as `version`. */
  async content(id: string, version: number): Promise<NoticeContent & { readonly hash: string }> {
    const row = await this.#versionRow(id, version);
    return { ...(JSON.parse(row.content) as NoticeContent), hash: row.hash };
  }

  async #versionRow(id: string, version: number): Promise<NoticeVersionRow> {
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new ConsentError('notice_version_not_found', 'a notice version is a whole number from 1');
    }
    const row = await reading(this.deps.dataSource, undefined, (manager) =>
      manager.getRepository(NoticeVersionEntity).findOneBy({ noticeId: id, version }),
    );
    if (row) return row;
    const notice = await reading(this.deps.dataSource, undefined, (manager) =>
      manager.getRepository(NoticeEntity).existsBy({ id }),
    );
    if (!notice) throw new ConsentError('notice_not_found', `no notice ${id}`);
    throw new ConsentError('notice_version_not_found', `notice ${id} has no version ${version}`);
  }

  async #statement(
    token: unknown,
    noticeId: string | undefined,
  ): Promise<{ controller: string; input: unknown; key: string }> {
    const statement = await this.deps.verifyStatement(token);
    const { payload } = statement;
    if (payload.action !== PUBLISH_NOTICE_ACTION) {
      throw new ConsentError(
        'statement_mismatch',
        `a notice statement has action "${PUBLISH_NOTICE_ACTION}"`,
      );
    }
    if ((payload.noticeId ?? undefined) !== noticeId) {
      throw new ConsentError(
        'statement_mismatch',
        noticeId === undefined
          ? 'a statement publishing a new notice names no noticeId'
          : `the statement must name noticeId ${noticeId}`,
      );
    }
    return { controller: statement.signer, input: payload.notice, key: `jti:${statement.jti}` };
  }

  async #publish(publication: Publication): Promise<PublishedNotice> {
    const { controller } = publication;
    const rulebook = (await this.deps.rulebook.current()).rulebook;
    const vocabulary = vocabularyOf(rulebook);
    await this.#checkPublisher(controller, vocabulary);
    const input = validateNoticeInput(publication.input, vocabulary);
    await this.#checkRecipients(controller, input.recipients);
    const requestHash = sha256Hex(canonicalJson({ noticeId: publication.noticeId ?? null, input }));
    const publicationKey =
      publication.key === undefined ? null : sha256Hex(`${controller}\n${publication.key}`);
    const earlier = publicationKey ? await this.#byKey(undefined, publicationKey) : undefined;
    if (earlier) return this.#replay(earlier, requestHash);
    try {
      const row = await inTransaction(this.deps.dataSource, undefined, async (manager) => {
        const inserted = await this.#insert(
          manager,
          publication,
          input,
          rulebook.version,
          requestHash,
          publicationKey,
        );
        await this.deps.audit.append(
          {
            kind: 'consent.notice.published',
            actor: controller,
            subject: inserted.noticeId,
            data: { version: inserted.version, hash: inserted.hash, via: inserted.publishedVia },
          },
          manager,
        );
        return inserted;
      });
      return { notice: view(row), replayed: false };
    } catch (error) {
      // Two retries with one key raced: answer with the one that committed.
      if (publicationKey && isUniqueViolation(error)) {
        const winner = await this.#byKey(undefined, publicationKey);
        if (winner) return this.#replay(winner, requestHash);
      }
      throw error;
    }
  }

  async #insert(
    manager: EntityManager,
    publication: Publication,
    input: NoticeInput,
    rulebookVersion: string,
    requestHash: string,
    publicationKey: string | null,
  ): Promise<NoticeVersionRow> {
    const now = this.deps.now().toISOString();
    const notices = manager.getRepository(NoticeEntity);
    let id: string;
    let version: number;
    if (publication.noticeId === undefined) {
      id = `notice-${randomUUID()}`;
      version = 1;
      await notices.insert({
        id,
        controllerDid: publication.controller,
        latestVersion: 1,
        createdAt: now,
        updatedAt: now,
      });
    } else {
      id = publication.noticeId;
      // The notice row is locked while its next version is written: two new versions take turns,
      // and consent given meanwhile (which reads it FOR SHARE) sees one latest version.
      const query = notices.createQueryBuilder('notice').where('notice.id = :id', { id });
      if (isPostgres(this.deps.dataSource)) query.setLock('pessimistic_write');
      const notice = await query.getOne();
      if (!notice) throw new ConsentError('notice_not_found', `no notice ${id}`);
      if (notice.controllerDid !== publication.controller) {
        throw new ConsentError(
          'not_notice_controller',
          'only the notice’s controller publishes its versions',
        );
      }
      version = notice.latestVersion + 1;
      await notices.update({ id }, { latestVersion: version, updatedAt: now });
    }
    const content: NoticeContent = {
      id,
      version,
      controller: publication.controller,
      ...input,
      rulebookVersion,
      publishedAt: now,
    };
    const canonical = canonicalJson(content);
    const row: NoticeVersionRow = {
      noticeId: id,
      version,
      hash: sha256Hex(canonical),
      content: canonical,
      publishedAt: now,
      publishedVia: publication.via,
      publicationKey,
      requestHash,
      statement: publication.statement ?? null,
    };
    await manager.getRepository(NoticeVersionEntity).insert(row);
    return row;
  }

  async #byKey(
    manager: EntityManager | undefined,
    publicationKey: string,
  ): Promise<NoticeVersionRow | undefined> {
    const row = await reading(this.deps.dataSource, manager, (m) =>
      m.getRepository(NoticeVersionEntity).findOneBy({ publicationKey }),
    );
    return row ?? undefined;
  }

  async #replay(row: NoticeVersionRow, requestHash: string): Promise<PublishedNotice> {
    if (row.requestHash !== requestHash) {
      throw new ConsentError(
        'idempotency_conflict',
        'this idempotency key (or statement jti) was used for a different publication',
      );
    }
    return { notice: view(row), replayed: true };
  }

  async #checkPublisher(controller: string, vocabulary: ConsentVocabulary): Promise<void> {
    const member = await this.deps.members.member(controller);
    if (!member) throw new ConsentError('not_a_member', `${controller} is not a member of the data space`);
    if (member.status !== 'active') {
      throw new ConsentError('controller_not_active', `the membership of ${controller} is ${member.status}`);
    }
    if (!vocabulary.mayPublish(member.roles)) {
      throw new ConsentError(
        'role_may_not_publish',
        `members in the roles ${member.roles.join(', ')} may not publish notices (rulebook consent.noticePublishers: ${vocabulary.terms.noticePublishers.join(', ')})`,
      );
    }
  }

  async #checkRecipients(controller: string, recipients: readonly string[]): Promise<void> {
    for (const did of recipients) {
      if (did === controller)
        throw new ConsentError('invalid_notice', 'the controller is not its own recipient');
      const member = await this.deps.members.member(did);
      if (!member)
        throw new ConsentError('recipient_not_member', `recipient ${did} is not a member`, {
          recipient: did,
        });
      if (member.status !== 'active') {
        throw new ConsentError(
          'recipient_not_active',
          `the membership of recipient ${did} is ${member.status}`,
          {
            recipient: did,
          },
        );
      }
    }
  }
}

/** The rulebook's consent vocabulary; `consent_not_enabled` for a rulebook without one. */
export function vocabularyOf(rulebook: Rulebook): ConsentVocabulary {
  if (!rulebook.consent) {
    throw new ConsentError(
      'consent_not_enabled',
      `the rulebook in force (${rulebook.version}) has no consent section: adopt a version with one (1.1.0 or later)`,
    );
  }
  return rulebook.consent;
}

function key(idempotencyKey: string | undefined): { key?: string } {
  if (idempotencyKey === undefined) return {};
  if (idempotencyKey.length < 1 || idempotencyKey.length > 200 || !/^[\x21-\x7e]+$/.test(idempotencyKey)) {
    throw new ConsentError('invalid_request', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
  }
  return { key: `key:${idempotencyKey}` };
}

function view(row: NoticeVersionRow, versions?: readonly NoticeVersionRow[]): NoticeView {
  const content = JSON.parse(row.content) as NoticeContent;
  const info = (r: NoticeVersionRow): NoticeVersionInfo => ({
    version: r.version,
    hash: r.hash,
    publishedAt: r.publishedAt,
  });
  return {
    ...content,
    hash: row.hash,
    publishedVia: row.publishedVia,
    ...(versions ? { versions: versions.map(info) } : {}),
  };
}
